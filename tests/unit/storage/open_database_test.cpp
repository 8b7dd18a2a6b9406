// storage::open_database (issue 14): the database the stack description names, SQLite or PostgreSQL, and the
// operator's messages when it cannot be opened. The PostgreSQL cases need no server: an unset variable and an
// unreachable server fail before one would be needed (the real server is tests/integration/postgres_runtime_test.cpp).
#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <sstream>

#include "fixture.hpp"
#include "storage/open_database.hpp"

using namespace opsbot;
using namespace opsbot::storage;

namespace {

// The password of the unreachable server's URL: no message or log line may hold it.
constexpr const char* password = "Open-Db-Pass-9c41e";

std::optional<std::string> env_unreachable(const std::string& name) {
    if (name == "OPSBOT_DATABASE_URL") {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        return std::string("postgresql://opsbot:") + password + "@127.0.0.1:1/opsbot_state";
    }
    if (name == "EMPTY_URL") {
        return "";
    }
    return std::nullopt;
}

stack_config postgres_config(const std::string& url_env) {
    stack_config c;
    c.database_url_env = url_env;
    return c;
}

/// The database_error open_database throws (REQUIREs one).
std::string open_error(const stack_config& config) {
    try {
        auto db = open_database(config, open_mode::create, env_unreachable);
    } catch (const database_error& e) {
        return e.what();
    }
    FAIL("open_database did not throw database_error");
    return {};
}

/// Everything the default logger writes while it lives, at every level.
class captured_log {
public:
    captured_log() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
        auto logger = std::make_shared<spdlog::logger>("captured", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~captured_log() { spdlog::set_default_logger(previous_); }
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;
    std::string text() const { return text_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream text_;
};

}  // namespace

TEST_CASE("open_database: the string form is the SQLite file, created and migrated as before", "[open_database]") {
    testing::temp_db_path path;
    stack_config config;
    config.database = path.str();
    auto db = open_database(config, open_mode::create, env_unreachable);
    REQUIRE(db != nullptr);
    CHECK(db->backend() == sql::backend::sqlite);
    CHECK(db->path() == path.str());
    CHECK(db->schema_version() == database::latest_schema_version());
    CHECK(std::filesystem::exists(path.str()));
}

TEST_CASE("open_database: read-only on a missing SQLite file refuses and creates nothing", "[open_database]") {
    testing::temp_db_path path;
    stack_config config;
    config.database = path.str();
    CHECK_THROWS_AS(open_database(config, open_mode::read_only, env_unreachable), database_error);
    CHECK_FALSE(std::filesystem::exists(path.str()));
}

TEST_CASE("open_database: PostgreSQL with its variable unset or empty names the variable", "[open_database]") {
    CHECK(open_error(postgres_config("MISSING_STATE_URL")) ==
          "cannot open the bot's database: MISSING_STATE_URL is not set; export the PostgreSQL URL there "
          "(database.url_env)");
    CHECK(open_error(postgres_config("EMPTY_URL")) ==
          "cannot open the bot's database: EMPTY_URL is set but empty; export the PostgreSQL URL there "
          "(database.url_env)");
}

TEST_CASE("open_database: an unreachable server gives libpq's reason, never the password", "[open_database]") {
    captured_log log;
    const std::string message = open_error(postgres_config("OPSBOT_DATABASE_URL"));
    INFO(message);
    CHECK_THAT(message,
               Catch::StartsWith("cannot open the bot's database (PostgreSQL, URL from OPSBOT_DATABASE_URL): "));
    // Where it tried, so the operator can tell a wrong host from a server down (libpq's own words follow).
    CHECK_THAT(message, Catch::Contains("opsbot_state") && Catch::Contains("127.0.0.1"));
    CHECK_THAT(message, !Catch::Contains(password));
    CHECK_THAT(log.text(), !Catch::Contains(password));
}

TEST_CASE("open_database: a config naming no database is refused", "[open_database]") {
    CHECK_THAT(open_error(stack_config{}), Catch::StartsWith("the stack description names no database"));
}
