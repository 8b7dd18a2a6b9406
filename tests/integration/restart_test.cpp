// kill -9 of the real `opsbot run` while a rollback step is running, then a restart (docs/design.md "Runtime model":
// an action found running is marked interrupted and reported, never silently re-run). The step is caught *acting*
// (its rollback request applied, the answer held back): a step already waiting for its deployment is a stored poll and resumes
// instead (tests/integration/platform_poll_test.cpp).
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

std::string jsonc_config(const sim::slack_simulator& slack, const fake_railway& railway, const fake_health& health,
                         const std::string& db) {
    return fmt::format(R"({{
  // written by restart_test
  "slack": {{
    "app_token_env": "SLACK_APP_TOKEN",
    "bot_token_env": "SLACK_BOT_TOKEN",
    "api_url": "{}",
    "ops_channel": "{}",
    "incident_channel": "{}",
  }},
  "database": "{}",
  "groups": {{ "deployers": ["{}", "{}"], "approvers": ["{}"] }},
  "policies": {{
    "rollback": {{ "run": "deployers", "approve": "approvers", "approvals": 1, "expires_after": "15m" }},
  }},
  "services": {{
    {},
  }},
}}
)",
                       slack.api_url(), ops_channel, incident_channel, db, requester, approver_a, approver_a,
                       api_service_jsonc(railway, health.url()));
}

bool linked_and_ready(const sim::slack_simulator& slack, size_t links_before) {
    auto links = slack.connections();
    return links.size() > links_before &&
           std::any_of(links.begin() + static_cast<std::ptrdiff_t>(links_before), links.end(),
                       [](const auto& c) { return c.open && c.hello_at.has_value(); });
}

}  // namespace

TEST_CASE("kill -9 while a Railway rollback runs: the restarted bot marks it interrupted, reports it, never re-runs it") {
    temp_dir dir;
    sim::slack_simulator slack;
    fake_railway::options ro;
    ro.deploy_polls = 1'000'000;  // a rollback deployment would never finish
    fake_railway railway(ro);
    seed_railway(railway);
    fake_health health;
    const std::string db = (dir.path() / "opsbot.db").string();
    const auto config_path = dir.path() / "opsbot.jsonc";
    {
        std::ofstream out(config_path);
        out << jsonc_config(slack, railway, health, db);
    }
    const auto log = dir.path() / "opsbot.log";
    const std::vector<std::string> args{opsbot_binary(), "run", "--config", config_path.string()};
    const std::vector<std::string> env{"SLACK_APP_TOKEN=" + slack.options().app_token,
                                       "SLACK_BOT_TOKEN=" + slack.options().bot_token,
                                       "RAILWAY_TOKEN=" + railway.settings().token, "HOME=" + dir.path().string()};

    {
        child_process first(args, env, log);
        REQUIRE(first.started());
        INFO(read_file(log));
        REQUIRE(slack.wait_for([&] { return linked_and_ready(slack, 0); }, 30s));

        REQUIRE_FALSE(slack.send_slash_command(requester, ops_channel, "/rollback", "api").empty());
        REQUIRE(slack.wait_for([&] { return find_button(slack, "A-1", "approve").has_value(); }, 30s));
        auto approve = *find_button(slack, "A-1", "approve");
        // deploymentRollback reaches Railway but its answer is held: the step is acting when killed.
        railway.knobs().hold_answer({"POST", "deploymentRollback"});
        REQUIRE_FALSE(slack.send_block_action(approver_a, approve.channel, approve.message_ts, "approve", approve.value)
                          .empty());
        // The step is running once the message shows ⏳; it is acting while Railway's answer is held.
        REQUIRE(slack.wait_for(
            [&] {
                auto m = plan_message(slack, "A-1");
                return m && contains(text_of(*m), "⏳ 1.");
            },
            30s));
        REQUIRE(railway.knobs().wait_blocked(1, 30s));
        CHECK(railway.count_operation("deploymentRollback") == 1);
        CHECK(action_state_in(db, "A-1") == "running");
        CHECK(active_lock_count(db) == 1);

        first.signal(SIGKILL);
        auto code = first.wait(20s);
        REQUIRE(code);
        CHECK(*code == 128 + SIGKILL);
    }
    CHECK(action_state_in(db, "A-1") == "running");  // nobody has looked yet
    railway.knobs().release();  // the platform answers again; the new process must not act for A-1

    const size_t links_before = slack.connections().size();
    child_process second(args, env, log);
    REQUIRE(second.started());
    INFO(read_file(log));
    REQUIRE(slack.wait_for([&] { return linked_and_ready(slack, links_before); }, 30s));
    auto reported_in = [&](const std::string& channel) {
        auto posts = messages_in(slack, channel, "chat.postMessage");
        return std::any_of(posts.begin(), posts.end(), [](const auto& m) {
            auto t = text_of(m);
            return m.thread_ts.empty() && contains(t, "A-1") && contains(t, "interrupted");
        });
    };
    REQUIRE(slack.wait_for([&] { return reported_in(incident_channel) && reported_in(ops_channel); }, 30s));
    REQUIRE(slack.wait_for(
        [&] {
            auto m = plan_message(slack, "A-1");
            return m && contains(text_of(*m), "*Interrupted*");
        },
        30s));

    second.signal(SIGTERM);
    auto code = second.wait(30s);
    REQUIRE(code);
    CHECK(*code == 0);

    CHECK(action_state_in(db, "A-1") == "interrupted");
    CHECK(active_lock_count(db) == 0);
    auto events = audit_events_in(db, "A-1");
    auto interrupted = std::find(events.begin(), events.end(), "action.interrupted");
    REQUIRE(interrupted != events.end());
    CHECK(std::find(interrupted, events.end(), "lock.released") != events.end());
    CHECK(std::count(events.begin(), events.end(), "action.running") == 1);
    CHECK(railway.count_operation("deploymentRollback") == 1);  // never re-run
    CHECK(audit_chain_ok(db));
    // Secrets never reach the logs (docs/design.md "Security rules").
    const auto logged = read_file(log);
    CHECK(contains(logged, "opsbot starting"));  // the log was captured
    CHECK_FALSE(contains(logged, slack.options().bot_token));
    CHECK_FALSE(contains(logged, slack.options().app_token));
    CHECK_FALSE(contains(logged, railway.settings().token));

    const auto verify_out = dir.path() / "verify.txt";
    child_process verify({opsbot_binary(), "audit", "verify", "--db", db}, {"HOME=" + dir.path().string()}, verify_out);
    REQUIRE(verify.started());
    auto verified = verify.wait(30s);
    INFO(read_file(verify_out));
    REQUIRE(verified);
    CHECK(*verified == 0);
}
