#include "bot/logging.hpp"

#include "core/log_context.hpp"
#include "core/redactor.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>
#include <vector>

using namespace opsbot;

namespace {

std::optional<std::string> fake_env(const std::string& name) {
    if (name == "RAILWAY_TOKEN") {
        return "rw-7f3a9c1e5b2d4f60";
    }
    if (name == "PRODUCTION_DATABASE_URL") {
        return "postgres://ops:pr0d-pa55word@db.internal:5432/app";
    }
    return std::nullopt;
}

stack_config config_naming_secrets() {
    stack_config config;
    service_config api;
    api.name = "api";
    api.platform = opsbot::platform_kind::railway;
    api.token_env = "RAILWAY_TOKEN";
    config.services["api"] = api;
    config.databases["production"] = database_config{"PRODUCTION_DATABASE_URL"};
    return config;
}

struct captured_logger {
    std::ostringstream stream;
    std::shared_ptr<spdlog::logger> logger;

    captured_logger() {
        auto inner = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
        logger = std::make_shared<spdlog::logger>("test", bot::make_redacting_sink(inner));
        logger->set_pattern("%l %v");
    }
};

}  // namespace

TEST_CASE("secret env values and token shapes never reach the log", "[logging]") {
    auto config = config_naming_secrets();
    bot::register_config_secrets(config, fake_env);
    captured_logger log;
    log.logger->info("railway answered 401 for token rw-7f3a9c1e5b2d4f60");
    log.logger->warn("slack said invalid_auth for xoxb-1111-2222-abcdefABCDEF and Bearer abc.def");
    log.logger->error("pg_dump failed on postgres://ops:pr0d-pa55word@db.internal:5432/app");
    log.logger->flush();
    std::string out = log.stream.str();
    INFO(out);
    CHECK(out.find("rw-7f3a9c1e5b2d4f60") == std::string::npos);
    CHECK(out.find("xoxb-1111-2222") == std::string::npos);
    CHECK(out.find("abc.def") == std::string::npos);
    CHECK(out.find("pr0d-pa55word") == std::string::npos);
    CHECK(out.find("[redacted:RAILWAY_TOKEN]") != std::string::npos);
    CHECK(out.find("[redacted:PRODUCTION_DATABASE_URL]") != std::string::npos);
    CHECK(out.find("xoxb-[redacted]") != std::string::npos);
    // The pattern of the inner sink still applies, and ordinary text is kept.
    CHECK(out.find("info railway answered 401 for token") != std::string::npos);
}

TEST_CASE("the redacting sink keeps ordinary lines intact", "[logging]") {
    captured_logger log;
    log.logger->info("task-manager restarted; skip-deploys=true; deployment dpl_123 READY");
    CHECK(log.stream.str() == "info task-manager restarted; skip-deploys=true; deployment dpl_123 READY\n");
}

TEST_CASE("the redacting sink can be used from several threads", "[logging]") {
    global_redactor().add_secret("threaded-secret-value", "THREADED");
    captured_logger log;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&log, t] {
            for (int i = 0; i < 100; ++i) {
                log.logger->info("thread {} line {} threaded-secret-value", t, i);
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    std::string out = log.stream.str();
    CHECK(std::count(out.begin(), out.end(), '\n') == 400);
    CHECK(out.find("threaded-secret-value") == std::string::npos);
}

TEST_CASE("init_logging installs a redacting default logger", "[logging]") {
    auto config = config_naming_secrets();
    bot::init_logging(&config, spdlog::level::debug, fake_env);
    auto logger = spdlog::default_logger();
    REQUIRE(logger->name() == "opsbot");
    CHECK(logger->level() == spdlog::level::debug);
    CHECK(global_redactor().redact("x rw-7f3a9c1e5b2d4f60") == "x [redacted:RAILWAY_TOKEN]");
    // Redirect the installed logger's output: swap its sinks' inner target by wrapping a capture sink.
    std::ostringstream stream;
    logger->sinks().clear();
    logger->sinks().push_back(bot::make_redacting_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream)));
    spdlog::info("connecting with rw-7f3a9c1e5b2d4f60");
    CHECK(stream.str().find("rw-7f3a9c1e5b2d4f60") == std::string::npos);
    CHECK(stream.str().find("[redacted:RAILWAY_TOKEN]") != std::string::npos);
}

TEST_CASE("the JSON format writes one object per line, redacted, with the context of the line", "[logging]") {
    global_redactor().add_secret("json-fmt-s3cret-value", "JSON_SECRET");
    std::ostringstream out;
    auto sink = bot::make_redacting_sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    sink->set_formatter(bot::make_json_formatter());
    spdlog::logger logger("json", sink);
    logger.info("token json-fmt-s3cret-value in a \"quoted\"\nmessage");
    {
        log_context c;
        c.envelope = "env-1";
        c.action = "A-7";
        const scoped_log_context context(c);
        logger.warn("about an action");
    }
    logger.info("after");
    std::istringstream lines(out.str());
    std::string line;
    std::vector<boost::json::object> parsed;
    while (std::getline(lines, line)) {
        parsed.push_back(boost::json::parse(line).as_object());
    }
    REQUIRE(parsed.size() == 3);
    CHECK(out.str().find("json-fmt-s3cret-value") == std::string::npos);
    CHECK(parsed[0].at("level").as_string() == "info");
    CHECK(parsed[0].at("message").as_string().find("\"quoted\"\nmessage") != std::string_view::npos);
    CHECK(parsed[0].at("time").as_string().size() == std::string_view("2026-12-06T09:00:00.000Z").size());
    CHECK_FALSE(parsed[0].contains("envelope"));
    CHECK(parsed[1].at("level").as_string() == "warning");
    CHECK(parsed[1].at("envelope").as_string() == "env-1");
    CHECK(parsed[1].at("action").as_string() == "A-7");
    CHECK_FALSE(parsed[2].contains("action"));  // the scope ended
}
