#include "bot/logging.hpp"

#include "core/redactor.hpp"

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
