// The one deploy_platform interface (issue 13 item 2, adapters/deploy_platform.hpp): code that reads deployments
// goes through it without naming a platform, so a platform implementation written here — neither Vercel's nor
// Railway's classes — answers /deploy status and /deploy check's variable names with no change in commands/.
#include "bot/platform_factory.hpp"
#include "commands/deploy/plan.hpp"
#include "commands/deploy/status.hpp"
#include "commands/rollback/plan.hpp"
#include "tests/unit/commands/deploy_world.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <catch2/catch.hpp>

#include <mutex>

using namespace opsbot;
using namespace opsbot::commands;
using namespace std::chrono_literals;

namespace {

/// A third implementation of the interface: a fixed table, and a log of what it was asked.
class table_platform final : public adapters::deploy_platform {
public:
    table_platform(platform_kind kind, adapters::platform_deployment live) : kind_(kind), live_(std::move(live)) {
        live_.live = true;
    }

    platform_kind kind() const override { return kind_; }
    result<adapters::platform_deployment> live(const std::string& environment) override {
        note("live " + environment);
        return live_;
    }
    result<std::vector<adapters::platform_deployment>> recent(const std::string& environment, int limit) override {
        note("recent " + environment + " " + std::to_string(limit));
        return std::vector{live_};
    }
    result<std::set<std::string>> variable_names(const std::string& environment) override {
        note("variable_names " + environment);
        return std::set<std::string>{"TABLE_" + environment};
    }

    std::vector<std::string> asked() const {
        std::lock_guard lock(mutex_);
        return asked_;
    }

private:
    void note(std::string what) {
        std::lock_guard lock(mutex_);
        asked_.push_back(std::move(what));
    }

    platform_kind kind_;
    adapters::platform_deployment live_;
    mutable std::mutex mutex_;
    std::vector<std::string> asked_;
};

parsed_command status_command() {
    parsed_command c;
    c.family = "deploy";
    c.subcommand = "status";
    c.implemented = true;
    c.user = user_id{"U01"};
    c.channel = channel_id{testing::ops_channel};
    return c;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

struct table_world {
    manual_clock clk;
    stack_config config = testing::example_config();  // web on Vercel, api on Railway
    platform_registry platforms;
    table_platform* web = nullptr;
    table_platform* api = nullptr;

    table_world() {
        adapters::platform_deployment web_live;
        web_live.id = "tbl-web-7";
        web_live.commit_sha = "abcdef0123456789";
        web_live.status = "READY";
        web_live.created = clk.now() - 2h;
        auto w = std::make_unique<table_platform>(platform_kind::vercel, web_live);
        web = w.get();
        platforms.deploy["web"] = std::move(w);

        adapters::platform_deployment api_live;
        api_live.id = "tbl-api-3";
        api_live.status = "SUCCESS";  // no commit, and a creation time the platform could not give
        auto a = std::make_unique<table_platform>(platform_kind::railway, api_live);
        api = a.get();
        platforms.deploy["api"] = std::move(a);
    }

    command_context context() { return command_context{config, platforms, nullptr, clk}; }
};

}  // namespace

TEST_CASE("deploy platform: /deploy status of a Vercel and a Railway service is answered through the one interface",
          "[deploy][platform]") {
    table_world w;
    const auto r = deploy_status_reply(status_command(), w.context(), deploy_timeouts{2s});
    INFO(r.text);
    CHECK_FALSE(r.is_error);
    CHECK(contains(r.text, "*web* (Vercel): `tbl-web-7` · commit `abcdef0` · 2 h ago · READY"));
    CHECK(contains(r.text, "*api* (Railway): `tbl-api-3` · commit `no commit` · unknown age · SUCCESS"));
    CHECK(w.web->asked() == std::vector<std::string>{"live production"});
    CHECK(w.api->asked() == std::vector<std::string>{"live production"});
    // Nothing here is a vercel_platform or a railway_platform: the status never asked for one.
    CHECK(w.platforms.vercel_of("web") == nullptr);
    CHECK(w.platforms.railway_of("api") == nullptr);
}

TEST_CASE("deploy platform: a service without an adapter says which platform's adapter is missing",
          "[deploy][platform]") {
    table_world w;
    w.platforms.deploy.erase("api");
    const auto live = fetch_live(w.config.services.at("api"), w.platforms, "production", w.clk);
    REQUIRE_FALSE(live);
    CHECK(live.error().kind == error_kind::unavailable);
    CHECK(live.error().message == "no Railway adapter for api (token not set?)");
}

TEST_CASE("deploy platform: the variable names of /deploy check come from the interface", "[deploy][platform]") {
    table_world w;
    bot::set_env_names(w.platforms);
    REQUIRE(w.platforms.env_names);
    CHECK(*w.platforms.env_names("web", "production") == std::set<std::string>{"TABLE_production"});
    CHECK(*w.platforms.env_names("api", "staging") == std::set<std::string>{"TABLE_staging"});
    CHECK(w.platforms.env_names("worker", "production").error().kind == error_kind::unavailable);
}

TEST_CASE("deploy platform: plans that need a platform's own operations refuse one that lacks them",
          "[deploy][platform]") {
    table_world w;
    const auto deploy = plan_deploy(w.config, w.platforms, deploy_request{"api", "production"}, w.clk);
    REQUIRE_FALSE(deploy);
    CHECK(deploy.error().message == "Service `api` runs on `Railway`, which /deploy does not support.");
    rollback_request back;
    back.service = "web";
    const auto rollback = plan_rollback(w.config, w.platforms, back, w.clk);
    REQUIRE_FALSE(rollback);
    CHECK(rollback.error().message == "Service `web` runs on `Vercel`, which /rollback does not support.");
    CHECK(w.web->asked().empty());  // refused before any call
}

TEST_CASE("deploy platform: the in-memory Vercel and Railway answer the interface from their own state",
          "[deploy][platform]") {
    testing::deploy_world w;  // web: dpl_A live (PROMOTED) over dpl_Prev, dpl_Old; api: rw-live over rw-prev, rw-old
    auto* web = w.platforms.deploy_of("web");
    auto* api = w.platforms.deploy_of("api");
    REQUIRE(web != nullptr);
    REQUIRE(api != nullptr);
    CHECK(web->kind() == platform_kind::vercel);
    CHECK(api->kind() == platform_kind::railway);
    CHECK(web->as_vercel() == w.web);
    CHECK(web->as_railway() == nullptr);
    CHECK(api->as_railway() == w.api);

    const auto web_live = web->live("production");
    REQUIRE(web_live);
    CHECK(web_live->id == "dpl_A");
    CHECK(web_live->commit_sha == "aaaaaaa");
    CHECK(web_live->created == clock::time_point{std::chrono::milliseconds{1'764'007'200'000}});
    CHECK(web->live("staging").error().kind == error_kind::unavailable);  // Vercel: production only

    const auto api_live = api->live("production");
    REQUIRE(api_live);
    CHECK(api_live->id == "rw-live");
    CHECK(api_live->status == "SUCCESS");
    REQUIRE(api_live->created);

    const auto history = api->recent("production", 10);
    REQUIRE(history);
    REQUIRE(history->size() == 3);
    CHECK(history->at(0).id == "rw-live");
    CHECK(history->at(0).live);
    CHECK_FALSE(history->at(1).live);
    const auto web_history = web->recent("production", 10);
    REQUIRE(web_history);
    REQUIRE(web_history->size() == 3);
    CHECK(web_history->at(0).id == "dpl_A");
    CHECK(web_history->at(0).live);
    CHECK_FALSE(web_history->at(2).live);
}
