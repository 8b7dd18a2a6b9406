// Graceful shutdown of the real `opsbot run` (issue 15 item 4, bot/runtime.cpp): on SIGTERM the Socket Mode link
// closes once its acks are written, a step caught acting (its Railway rollback applied, the answer held back by the
// fake) gets `shutdown_grace` to finish; what still runs after it is recorded interrupted and reported, saying the bot
// was stopped; the process exits 0. A second SIGTERM exits at once.
#include "tests/support/bot_harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

using opsbot::testing::contains;
using opsbot::testing::read_file;

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace sim = opsbot::sim;

/// `opsbot run` against the simulator and a fake Railway, with `/rollback api` allowed; `grace` is spliced in as
/// shutdown_grace when given.
struct shutdown_world {
    temp_dir dir;
    sim::slack_simulator slack;
    fake_railway railway;
    fake_health health;
    std::string db = (dir.path() / "opsbot.db").string();
    std::filesystem::path log = dir.path() / "opsbot.log";

    static fake_railway::options railway_options() {
        fake_railway::options o;
        o.deploy_polls = 1;  // the rollback deployment is live at the first poll after the act
        return o;
    }

    explicit shutdown_world(std::optional<int> grace) : railway(railway_options()) {
        seed_railway(railway);
        std::ofstream(dir.path() / "opsbot.jsonc") << fmt::format(
            R"({{
  "slack": {{ "app_token_env": "SLACK_APP_TOKEN", "bot_token_env": "SLACK_BOT_TOKEN", "api_url": "{}",
             "ops_channel": "{}", "incident_channel": "{}" }},
  "database": "{}",
  {}
  "groups": {{ "deployers": ["{}", "{}"], "approvers": ["{}"] }},
  "policies": {{ "rollback": {{ "run": "deployers", "approve": "approvers", "approvals": 1 }} }},
  "services": {{
    {}
  }}
}}
)",
            slack.api_url(), ops_channel, incident_channel, db,
            grace ? fmt::format(R"("shutdown_grace": {},)", *grace) : std::string{}, requester, approver_a,
            approver_a, api_service_jsonc(railway, health.url()));
    }

    std::unique_ptr<child_process> start() {
        auto bot = std::make_unique<child_process>(
            std::vector<std::string>{opsbot_binary(), "run", "--config", (dir.path() / "opsbot.jsonc").string()},
            std::vector<std::string>{"SLACK_APP_TOKEN=" + slack.options().app_token,
                                     "SLACK_BOT_TOKEN=" + slack.options().bot_token,
                                     "RAILWAY_TOKEN=" + railway.settings().token, "HOME=" + dir.path().string()},
            log);
        REQUIRE(bot->started());
        REQUIRE(slack.wait_for(
            [&] {
                auto links = slack.connections();
                return std::any_of(links.begin(), links.end(), [](const auto& c) { return c.open && c.hello_at; });
            },
            30s));
        return bot;
    }

    /// `/rollback api`, approved; returns once A-1's step is acting: Railway applied the rollback, its answer held.
    void rollback_caught_acting() {
        REQUIRE_FALSE(slack.send_slash_command(requester, ops_channel, "/rollback", "api").empty());
        REQUIRE(slack.wait_for([&] { return find_button(slack, "A-1", "approve").has_value(); }, 30s));
        auto approve = *find_button(slack, "A-1", "approve");
        railway.knobs().hold_answer({"POST", "deploymentRollback"});
        REQUIRE_FALSE(
            slack.send_block_action(approver_a, approve.channel, approve.message_ts, "approve", approve.value).empty());
        REQUIRE(railway.knobs().wait_blocked(1, 30s));
        REQUIRE(action_state_in(db, "A-1") == "running");
    }

    /// The shutdown began: the bot closed its Socket Mode link (after writing its acks).
    bool link_closed() const {
        return slack.wait_for(
            [&] {
                auto links = slack.connections();
                return !links.empty() && std::none_of(links.begin(), links.end(), [](const auto& c) { return c.open; });
            },
            30s);
    }

    bool posted_in_thread_of_a1(const std::string& text) const {
        auto plan = plan_message(slack, "A-1");
        if (!plan) {
            return false;
        }
        auto posts = messages_in(slack, plan->channel, "chat.postMessage");
        return std::any_of(posts.begin(), posts.end(), [&](const auto& m) {
            return m.thread_ts == plan->ts && contains(text_of(m), text);
        });
    }
};

}  // namespace

TEST_CASE("SIGTERM while a step acts: the step finishes within the grace, the action succeeds, exit 0") {
    shutdown_world world(std::nullopt);  // the default grace, 30 s
    auto bot = world.start();
    INFO(read_file(world.log));
    world.rollback_caught_acting();

    bot->signal(SIGTERM);
    REQUIRE(world.link_closed());
    CHECK_FALSE(bot->ended());  // it waits for the step
    world.railway.knobs().release();  // Railway answers; the rollback is then polled until its deployment is live

    auto code = bot->wait(60s);
    INFO(read_file(world.log));
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(action_state_in(world.db, "A-1") == "succeeded");
    CHECK(active_lock_count(world.db) == 0);
    CHECK(world.railway.count_operation("deploymentRollback") == 1);
    auto events = audit_events_in(world.db, "A-1");
    CHECK(std::count(events.begin(), events.end(), "action.succeeded") == 1);
    CHECK(std::count(events.begin(), events.end(), "action.interrupted") == 0);
    CHECK(audit_chain_ok(world.db));
    CHECK_FALSE(world.posted_in_thread_of_a1("opsbot was stopped"));
}

TEST_CASE("SIGTERM with a step that never finishes: after the grace it is reported interrupted, stopped, exit 0") {
    constexpr auto grace = 2s;
    shutdown_world world(static_cast<int>(grace.count()));
    auto bot = world.start();
    INFO(read_file(world.log));
    world.rollback_caught_acting();

    const auto signalled = std::chrono::steady_clock::now();
    bot->signal(SIGTERM);
    auto code = bot->wait(grace + 20s);
    const auto took = std::chrono::steady_clock::now() - signalled;
    INFO(read_file(world.log));
    REQUIRE(code);
    CHECK(*code == 0);
    CHECK(took >= grace);  // it gave the step its grace
    CHECK(took < grace + 20s);

    CHECK(action_state_in(world.db, "A-1") == "interrupted");
    CHECK(active_lock_count(world.db) == 0);
    auto events = audit_events_in(world.db, "A-1");
    auto interrupted = std::find(events.begin(), events.end(), "action.interrupted");
    REQUIRE(interrupted != events.end());
    CHECK(std::find(interrupted, events.end(), "lock.released") != events.end());
    CHECK(audit_chain_ok(world.db));
    // Reported as start-up recovery reports a crash, saying the bot was stopped: its message, its thread, the
    // incident and ops channels.
    auto plan = plan_message(world.slack, "A-1");
    REQUIRE(plan);
    CHECK(contains(text_of(*plan), "*Interrupted*"));
    CHECK(contains(text_of(*plan), "opsbot was stopped"));
    CHECK(world.posted_in_thread_of_a1("opsbot was stopped"));
    for (const char* channel : {incident_channel, ops_channel}) {
        auto posts = messages_in(world.slack, channel, "chat.postMessage");
        CHECK(std::any_of(posts.begin(), posts.end(), [](const auto& m) {
            auto t = text_of(m);
            return m.thread_ts.empty() && contains(t, "A-1") && contains(t, "opsbot was stopped");
        }));
    }
}

TEST_CASE("a second SIGTERM exits at once, without waiting for the grace") {
    shutdown_world world(600);  // a grace the test would notice
    auto bot = world.start();
    INFO(read_file(world.log));
    world.rollback_caught_acting();

    bot->signal(SIGTERM);
    REQUIRE(world.link_closed());
    CHECK_FALSE(bot->ended());
    const auto signalled = std::chrono::steady_clock::now();
    bot->signal(SIGTERM);
    auto code = bot->wait(30s);
    INFO(read_file(world.log));
    REQUIRE(code);
    CHECK(*code == 128 + SIGTERM);
    CHECK(std::chrono::steady_clock::now() - signalled < 30s);
    CHECK(contains(read_file(world.log), "exiting at once"));
    // Nothing recorded it: the next start reports it interrupted, as after a crash.
    CHECK(action_state_in(world.db, "A-1") == "running");
}
