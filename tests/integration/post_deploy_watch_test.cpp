// The post-deploy watch end to end (issue #7, runbook §7-§8): after a rollback the bot carried out, it watches the
// fake Sentry (new issues since the action finished) and the fake BetterStack (the affected service's monitors)
// every minute of the injected clock for monitoring.watch_minutes, reports to the incident channel once when
// something is wrong, ends quietly otherwise, and survives a restart. Time moves only on the harness's manual clock.
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/fake_sentry.hpp"

#include "adapters/sentry.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using opsbot::testing::contains;

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace sim = opsbot::sim;

size_t count_event(const std::vector<std::string>& events, const std::string& event) {
    return static_cast<size_t>(std::count(events.begin(), events.end(), event));
}

/// The fakes first (they outlive the bot), then the bot with monitoring pointed at them, on a manual clock.
struct watch_fixture {
    explicit watch_fixture(int threshold = 1, std::chrono::milliseconds tick = std::chrono::minutes{10})
        : h(options(threshold, tick)) {}

    harness_options options(int threshold, std::chrono::milliseconds tick) {
        harness_options o;
        o.manual_time = true;
        o.watch_tick_interval = tick;
        o.configure = [this, threshold](opsbot::stack_config& c) {
            c.monitoring.sentry = opsbot::sentry_config{sentry.api_url(), "SENTRY_API_TOKEN", "acme", "2"};
            c.monitoring.betterstack = opsbot::betterstack_config{betterstack.api_url(), "BETTERSTACK_TOKEN"};
            c.monitoring.watch_minutes = 15;
            c.monitoring.watch_new_issues_threshold = threshold;
        };
        return o;
    }

    /// A new unresolved production issue, first seen `after` the current time of the bot's clock.
    void add_issue(const std::string& short_id, std::chrono::seconds after = 10s) {
        fake_sentry_issue issue;
        issue.id = std::to_string(100 + issues.size());
        issue.short_id = short_id;
        issue.title = "TypeError in " + short_id;
        issue.culprit = "app/handler";
        issue.first_seen = opsbot::adapters::format_utc_iso8601(h.clock().now() + after);
        issue.last_seen = issue.first_seen;
        issues.push_back(issue);
        sentry.set_issues(issues);
    }

    void set_monitor(const std::string& id, const std::string& status) {
        for (auto& m : monitors()) {
            if (m.id == id) {
                m.status = status;
            }
        }
        betterstack.set_monitors(monitors_);
    }

    /// The two monitors: the web app's public URL and the api's /health (the harness's fake health server).
    std::vector<fake_monitor>& monitors() {
        if (monitors_.empty()) {
            monitors_ = {{"m-web", "Web app", "https://app.example.test/", "up"},
                         {"m-api", "API health", h.health().url(), "up"}};
        }
        return monitors_;
    }

    /// Moves the bot's clock and runs one tick of the watches.
    void minutes_pass(int minutes) {
        for (int i = 0; i < minutes; ++i) {
            h.clock().advance(1min);
            h.tick_watches();
        }
    }

    /// A rollback of `service`, requested and approved, that succeeded.
    void rolled_back(const std::string& service, const std::string& action) {
        h.command(requester, "/rollback", service);
        h.click(approver_a, action, "approve");
        REQUIRE(h.state_of(action) == "succeeded");
    }

    std::vector<sim::recorded_message> watch_posts() {
        std::vector<sim::recorded_message> out;
        for (auto& m : messages_in(h.slack(), incident_channel, "chat.postMessage")) {
            if (contains(text_of(m), "Post-deploy watch")) {
                out.push_back(std::move(m));
            }
        }
        return out;
    }

    std::string deploy_status() {
        h.command(requester, "/deploy", "status");
        auto replies = h.slack().messages("response_url");
        return replies.empty() ? std::string{} : text_of(replies.back());
    }

    /// The detail JSON of the newest audit entry `event` of `action`.
    std::string detail_of(const std::string& action, const std::string& event) {
        opsbot::storage::database db(h.db_path(), opsbot::storage::open_mode::read_only);
        opsbot::system_clock clk;
        opsbot::storage::audit_log audit(db, clk);
        auto entries = audit.for_action(opsbot::action_id(action));
        std::string out;
        if (entries) {
            for (const auto& e : *entries) {
                if (e.event == event) {
                    out = e.detail_json;
                }
            }
        }
        return out;
    }

    size_t sentry_calls() { return sentry.requests().size(); }

    fake_sentry sentry;
    fake_betterstack betterstack;
    std::vector<fake_sentry_issue> issues;
    std::vector<fake_monitor> monitors_;
    bot_harness h;
};

}  // namespace

TEST_CASE("a watch fires once when new Sentry issues reach the threshold, /deploy status shows it meanwhile") {
    watch_fixture f(2);
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    CHECK(count_event(f.h.audit_events("A-1"), "watch.started") == 1);

    auto status = f.deploy_status();
    CHECK(contains(status, "Post-deploy watches"));
    CHECK(contains(status, "A-1"));
    CHECK(contains(status, "15 min left"));

    f.minutes_pass(1);
    CHECK(f.sentry_calls() == 1);
    f.add_issue("API-7");
    f.minutes_pass(1);
    CHECK(f.watch_posts().empty());  // one new issue, threshold two
    CHECK(contains(f.deploy_status(), "13 min left"));

    f.add_issue("API-8");
    f.minutes_pass(1);
    auto posts = f.watch_posts();
    REQUIRE(posts.size() == 1);
    const std::string text = text_of(posts[0]);
    CHECK(contains(text, "A-1"));
    CHECK(contains(text, "Roll back web"));
    CHECK(contains(text, "2 new Sentry issue"));
    CHECK(contains(text, "API-7"));
    CHECK(contains(text, "API-8"));
    CHECK(contains(text, "§8"));
    CHECK(contains(text, "slack.com/archives/"));  // the link to the action's thread
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
    CHECK(contains(f.detail_of("A-1", "watch.fired"), "API-8"));

    // Once per watch: more issues and more minutes post nothing more, and the watch is gone from the status.
    f.add_issue("API-9");
    const auto calls = f.sentry_calls();
    f.minutes_pass(5);
    CHECK(f.watch_posts().size() == 1);
    CHECK(f.sentry_calls() == calls);
    CHECK_FALSE(contains(f.deploy_status(), "Post-deploy watches"));
    CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 0);
    CHECK(f.h.audit_ok());
}

TEST_CASE("a watch fires when a monitor of the affected service goes down, not for another service's") {
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("api", "A-1");
    f.minutes_pass(1);
    f.set_monitor("m-web", "down");  // web was not touched by this rollback
    f.minutes_pass(2);
    CHECK(f.watch_posts().empty());

    f.set_monitor("m-api", "down");
    f.minutes_pass(1);
    auto posts = f.watch_posts();
    REQUIRE(posts.size() == 1);
    const std::string text = text_of(posts[0]);
    CHECK(contains(text, "API health"));
    CHECK_FALSE(contains(text, "Web app"));
    CHECK(contains(text, "monitor(s) down"));
    CHECK(contains(text, "roll back now"));
    CHECK(contains(text, "§8"));
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
}

TEST_CASE("a quiet watch checks every minute and ends silently after the window, audited watch.quiet") {
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    const auto incident_posts = messages_in(f.h.slack(), incident_channel).size();

    f.h.clock().advance(30s);
    f.h.tick_watches();
    CHECK(f.sentry_calls() == 0);  // not due before a minute passed
    f.h.clock().advance(30s);
    f.h.tick_watches();
    CHECK(f.sentry_calls() == 1);

    f.minutes_pass(13);
    CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 0);
    CHECK(contains(f.deploy_status(), "1 min left"));
    f.minutes_pass(1);
    CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 1);
    CHECK(contains(f.detail_of("A-1", "watch.quiet"), "\"checks\":15"));
    CHECK(f.sentry_calls() == 15);
    CHECK(messages_in(f.h.slack(), incident_channel).size() == incident_posts);
    CHECK_FALSE(contains(f.deploy_status(), "Post-deploy watches"));
    f.minutes_pass(3);
    CHECK(f.sentry_calls() == 15);
    CHECK(f.h.audit_ok());
}

TEST_CASE("a watch survives a restart: resumed while its window runs, checked once and closed after it passed") {
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    f.minutes_pass(2);

    SECTION("restarted within the window: resumed, and it still fires") {
        f.h.restart([&] { f.h.clock().advance(3min); });
        f.h.settle();
        auto status = f.deploy_status();
        CHECK(contains(status, "A-1"));
        CHECK(contains(status, "10 min left"));
        f.add_issue("WEB-1");
        f.minutes_pass(1);
        REQUIRE(f.watch_posts().size() == 1);
        CHECK(contains(text_of(f.watch_posts()[0]), "WEB-1"));
        CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
    }
    SECTION("restarted after the window passed: checked once at start-up and closed quiet") {
        const auto calls = f.sentry_calls();
        f.h.restart([&] { f.h.clock().advance(30min); });
        f.h.settle();
        CHECK(f.sentry_calls() == calls + 1);
        CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 1);
        CHECK(f.watch_posts().empty());
        f.minutes_pass(2);
        CHECK(f.sentry_calls() == calls + 1);
    }
    SECTION("restarted after the window passed with a monitor down: checked once at start-up and fired") {
        f.set_monitor("m-web", "down");
        f.h.restart([&] { f.h.clock().advance(30min); });
        f.h.settle();
        REQUIRE(f.watch_posts().size() == 1);
        CHECK(contains(text_of(f.watch_posts()[0]), "Web app"));
        CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
    }
    CHECK(f.h.audit_ok());
}

TEST_CASE("the runtime's own ticker drives watches on the injected clock") {
    watch_fixture f(1, 20ms);
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    f.add_issue("WEB-2");
    CHECK(f.watch_posts().empty());  // the clock has not moved: nothing is due
    f.h.clock().advance(1min);
    CHECK(eventually([&] { return !f.watch_posts().empty(); }, 20s));
    // The ticker thread posts first and closes after: wait for the close before reading the audit.
    CHECK(eventually([&] { return count_event(f.h.audit_events("A-1"), "watch.fired") == 1; }, 20s));
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
}

TEST_CASE("a watch that could not read Sentry or BetterStack warns at the end of the window, audited watch.blind") {
    // The rule (bot/post_deploy_watch.hpp): blind when the closing check could not read a source.
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    const auto incident_posts = messages_in(f.h.slack(), incident_channel).size();

    // 401s: a 5xx would be retried by the http client with real waits; a 401 fails the check at once.
    SECTION("every check failed: one warning naming both, what failed and the check by hand") {
        for (int i = 0; i < 15; ++i) {
            f.sentry.knobs().fail_next(401, R"({"detail":"Invalid token."})");
            f.betterstack.knobs().fail_next(401, R"({"errors":"Invalid Team API Token"})");
        }
        f.minutes_pass(14);
        CHECK(f.watch_posts().empty());  // nothing before the window ends
        CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 0);
        f.minutes_pass(1);
        CHECK(f.sentry_calls() == 15);
        auto posts = f.watch_posts();
        REQUIRE(posts.size() == 1);
        const std::string text = text_of(posts[0]);
        CHECK(contains(text, "A-1"));
        CHECK(contains(text, "Roll back web"));
        CHECK(contains(text, "could not check"));
        CHECK(contains(text, "Sentry"));
        CHECK(contains(text, "BetterStack"));
        CHECK(contains(text, "401"));  // why: their answer
        CHECK(contains(text, "15 of 15 check(s) failed"));
        CHECK(contains(text, "by hand"));
        CHECK(contains(text, "slack.com/archives/"));
        CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 1);
        CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 0);
        CHECK(contains(f.detail_of("A-1", "watch.blind"), "\"failed_checks\":15"));
        CHECK_FALSE(contains(f.deploy_status(), "Post-deploy watches"));
        f.minutes_pass(3);
        CHECK(f.watch_posts().size() == 1);
        CHECK(f.sentry_calls() == 15);
    }
    SECTION("only the closing check failed, and only Sentry: blind about Sentry alone") {
        f.minutes_pass(14);
        f.sentry.knobs().fail_next(401, R"({"detail":"Invalid token."})");
        f.minutes_pass(1);
        auto posts = f.watch_posts();
        REQUIRE(posts.size() == 1);
        const std::string text = text_of(posts[0]);
        CHECK(contains(text, "could not check Sentry"));
        CHECK_FALSE(contains(text, "could not check BetterStack"));
        CHECK(contains(text, "1 of 15 check(s) failed"));
        CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 1);
        CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 0);
    }
    SECTION("earlier failures the closing check made up for: quiet, silent, the failures counted") {
        for (int i = 0; i < 5; ++i) {
            f.sentry.knobs().fail_next(401, R"({"detail":"Invalid token."})");
        }
        f.minutes_pass(15);
        CHECK(messages_in(f.h.slack(), incident_channel).size() == incident_posts);
        CHECK(count_event(f.h.audit_events("A-1"), "watch.quiet") == 1);
        CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 0);
        CHECK(contains(f.detail_of("A-1", "watch.quiet"), "\"failed_checks\":5"));
    }
    CHECK(f.h.audit_ok());
}

TEST_CASE("a fired watch whose incident post Slack refused stays open and posts at the next check, once") {
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("api", "A-1");
    f.h.slack().fail_post_message(incident_channel, 1);
    f.set_monitor("m-api", "down");
    f.minutes_pass(1);
    auto refused = f.h.slack().api_calls("chat.postMessage");
    REQUIRE_FALSE(refused.empty());
    CHECK(refused.back().error == "internal_error");  // the post was tried and refused
    CHECK(f.watch_posts().empty());
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 0);
    CHECK(contains(f.deploy_status(), "A-1"));  // still watching

    f.minutes_pass(1);
    auto posts = f.watch_posts();
    REQUIRE(posts.size() == 1);
    CHECK(contains(text_of(posts[0]), "API health"));
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
    f.minutes_pass(3);
    CHECK(f.watch_posts().size() == 1);
    CHECK(count_event(f.h.audit_events("A-1"), "watch.fired") == 1);
    CHECK(f.h.audit_ok());
}

TEST_CASE("a blind watch whose warning Slack refused stays open and warns at the next check, once") {
    watch_fixture f;
    f.betterstack.set_monitors(f.monitors());
    f.rolled_back("web", "A-1");
    for (int i = 0; i < 16; ++i) {
        f.sentry.knobs().fail_next(401, R"({"detail":"Invalid token."})");
    }
    f.minutes_pass(14);
    f.h.slack().fail_post_message(incident_channel, 1);
    f.minutes_pass(1);
    CHECK(f.watch_posts().empty());
    CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 0);
    f.minutes_pass(1);
    REQUIRE(f.watch_posts().size() == 1);
    CHECK(contains(text_of(f.watch_posts()[0]), "16 of 16 check(s) failed"));
    CHECK(count_event(f.h.audit_events("A-1"), "watch.blind") == 1);
    f.minutes_pass(2);
    CHECK(f.watch_posts().size() == 1);
    CHECK(f.h.audit_ok());
}
