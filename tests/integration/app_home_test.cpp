// The Slack App Home tab end to end (issue 15 item 5): the real bot (bot_harness) opens Home through the simulator's
// `app_home_opened` event and publishes it with views.publish — production, plans waiting for approval (buttons only
// for their approvers), running actions with their step, locks, watches, the last audit entries —, refreshes it on
// each change of an action for whoever opened it in the last hour (manual clock, no sleeps), and a click on Home goes
// through the channel buttons' approval path.
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/fake_sentry.hpp"

#include "adapters/http_client.hpp"
#include "bot/slack/web_api.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

/// A deployment that settles only when the test says so (fake_railway::settle_deployments_at).
constexpr int never = 1'000'000;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

void collect(const json::value& v, std::string& out) {
    if (const auto* o = v.if_object()) {
        for (const auto& [key, value] : *o) {
            if (key == "text" && value.is_string()) {
                out += std::string(value.get_string()) + "\n";
            } else {
                collect(value, out);
            }
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
            collect(e, out);
        }
    }
}

std::string text_of_view(const json::object& view) {
    std::string out;
    collect(view, out);
    return out;
}

struct home_button {
    std::string action_id;
    std::string value;
};

std::vector<home_button> buttons_of(const json::object& view) {
    std::vector<home_button> out;
    for (const auto& b : view.at("blocks").as_array()) {
        if (b.at("type").as_string() != "actions") {
            continue;
        }
        for (const auto& e : b.at("elements").as_array()) {
            out.push_back({std::string(e.at("action_id").as_string()), std::string(e.at("value").as_string())});
        }
    }
    return out;
}

std::optional<home_button> button_for(const json::object& view, const std::string& action_id,
                                      const std::string& action) {
    for (auto& b : buttons_of(view)) {
        if (b.action_id == action_id && b.value.starts_with(action + ":")) {
            return b;
        }
    }
    return std::nullopt;
}

size_t publishes_for(bot_harness& h, const std::string& user) {
    auto all = h.slack().messages("views.publish");
    return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const auto& m) { return m.user == user; }));
}

/// `user` opens the Home tab; returns the view published for it.
json::object open_home(bot_harness& h, const std::string& user) {
    const size_t before = publishes_for(h, user);
    REQUIRE_FALSE(h.slack().send_app_home_opened(user).empty());
    h.count_sent();
    REQUIRE(h.slack().wait_for([&] { return publishes_for(h, user) > before; }, 30s));
    auto view = h.slack().home_view(user);
    REQUIRE(view);
    return *view;
}

/// `user` clicks a Home button; returns once the bot settled.
void click_home(bot_harness& h, const std::string& user, const home_button& b) {
    REQUIRE_FALSE(h.slack().send_home_block_action(user, b.action_id, b.value).empty());
    h.count_sent();
    h.settle();
}

/// What the bot told `user` in its messages with them (a click on Home has no channel to answer in).
std::string told(bot_harness& h, const std::string& user) {
    std::string out;
    for (const auto& m : messages_in(h.slack(), user, "chat.postMessage")) {
        out += text_of(m);
    }
    return out;
}

/// The fakes first (they outlive the bot), then the bot with monitoring pointed at them (so a rollback that
/// succeeds starts a real post-deploy watch), on a manual clock.
struct home_fixture {
    explicit home_fixture(int railway_polls = 3) : h(options(railway_polls)) {}

    harness_options options(int railway_polls) {
        harness_options o;
        o.manual_time = true;
        o.railway_deploy_polls = railway_polls;
        o.configure = [this](opsbot::stack_config& c) {
            c.monitoring.sentry = opsbot::sentry_config{sentry.api_url(), "SENTRY_API_TOKEN", "acme", "2"};
            c.monitoring.betterstack = opsbot::betterstack_config{betterstack.api_url(), "BETTERSTACK_TOKEN"};
            c.monitoring.watch_minutes = 15;
        };
        return o;
    }

    fake_sentry sentry;
    fake_betterstack betterstack;
    bot_harness h;
};

}  // namespace

TEST_CASE("opening Home publishes production, a waiting plan, a running action with its step, locks, a watch and the audit") {
    home_fixture f(never);
    auto& h = f.h;
    // a rollback of web that succeeded (its post-deploy watch runs on).
    h.command(requester, "/rollback", "web");
    h.click(approver_a, "A-1", "approve");
    REQUIRE(h.state_of("A-1") == "succeeded");
    // A manual lock whose reason quotes a token: it must not reach Slack.
    h.command(requester, "/deploy", "lock api staging \"freeze while xoxb-1111-2222-abcdefabcdef is rotated\"");
    // a rollback of api, running: its deployment does not settle until the test says so.
    h.slack().send_slash_command(requester, ops_channel, "/rollback", "api");
    h.count_sent();
    REQUIRE(h.slack().wait_for([&] { return h.button("A-2", "approve").has_value(); }, 30s));
    h.click_now(approver_a, *h.button("A-2", "approve"));
    REQUIRE(eventually([&] { return h.state_of("A-2") == "running"; }, 30s));
    REQUIRE(eventually(
        [&] {
            auto events = h.audit_events("A-2");
            return std::count(events.begin(), events.end(), "step.started") >= 1;
        },
        30s));
    // a rollback of web, waiting for approval.
    h.slack().send_slash_command(requester, ops_channel, "/rollback", "web");
    h.count_sent();
    REQUIRE(h.slack().wait_for([&] { return h.button("A-3", "approve").has_value(); }, 30s));

    auto view = open_home(h, approver_b);
    CHECK(view.at("type").as_string() == "home");
    CHECK(view.at("blocks").as_array().size() <= 100);
    const std::string text = text_of_view(view);
    INFO(text);
    // Production: each service's live deployment and /health, through the platform adapters.
    CHECK(contains(text, "*web* (Vercel)"));
    CHECK(contains(text, "*api* (Railway)"));
    CHECK(contains(text, "/health: ok"));
    // The waiting plan with its steps, and Approve / Deny for this approver, as on the channel message.
    CHECK(contains(text, "Waiting for approval"));
    CHECK(contains(text, "*A-3*"));
    auto approve = button_for(view, "approve", "A-3");
    REQUIRE(approve);
    CHECK(approve->value == h.button("A-3", "approve")->value);
    CHECK(button_for(view, "deny", "A-3"));
    // The running action and the step it is at.
    CHECK(contains(text, "*A-2*"));
    CHECK(contains(text, "step 1 of 2: "));  // the rollback, polling its deployment
    // Locks: the running rollback's and the manual one, its token redacted.
    CHECK(contains(text, "`api` production held by `A-2`"));
    CHECK(contains(text, "`api` staging held by `U01`"));
    CHECK_FALSE(contains(json::serialize(view), "xoxb-1111"));
    // The post-deploy watch of A-1, and the newest audit entries.
    CHECK(contains(text, "Post-deploy watches"));
    CHECK(contains(text, "A-1 Roll back web"));
    CHECK(contains(text, "15 min left"));
    CHECK(contains(text, "Recent audit entries"));
    CHECK(contains(text, "`action.requested`"));

    h.railway().settle_deployments_at(1);
    h.settle();
    CHECK(h.state_of("A-2") == "succeeded");
    CHECK(h.audit_ok());
}

TEST_CASE("a user who may not approve sees the waiting plan on Home without buttons") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));

    for (const char* user : {non_approver, requester}) {
        auto view = open_home(h, user);
        INFO(user);
        CHECK(contains(text_of_view(view), "*A-1*"));
        CHECK(buttons_of(view).empty());
    }
    auto approver_view = open_home(h, approver_a);
    CHECK(button_for(approver_view, "approve", "A-1"));
    CHECK(button_for(approver_view, "deny", "A-1"));
}

TEST_CASE("a change of an action refreshes Home for a user who opened it within the hour, not for one who opened it before") {
    home_fixture f;
    auto& h = f.h;
    open_home(h, approver_a);       // opened more than an hour before the change
    h.clock().advance(61min);
    open_home(h, approver_b);       // opened just now
    const size_t old_opener = publishes_for(h, approver_a);
    const size_t recent_opener = publishes_for(h, approver_b);

    h.command(requester, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));
    // The refresh publishes to each recent opener from one snapshot, in user order: once approver_b has it, a refresh
    // for approver_a (U02 < U03) would have gone out before.
    REQUIRE(h.slack().wait_for([&] { return publishes_for(h, approver_b) > recent_opener; }, 30s));
    auto refreshed = h.slack().home_view(approver_b);
    REQUIRE(refreshed);
    CHECK(contains(text_of_view(*refreshed), "*A-1*"));
    CHECK(button_for(*refreshed, "approve", "A-1"));
    CHECK(publishes_for(h, approver_a) == old_opener);

    // Opening Home again puts approver_a back among the recent openers: the next change reaches both.
    open_home(h, approver_a);
    const size_t a_before = publishes_for(h, approver_a);
    const size_t b_before = publishes_for(h, approver_b);
    h.click(approver_c, "A-1", "deny");
    REQUIRE(h.state_of("A-1") == "denied");
    REQUIRE(h.slack().wait_for([&] { return publishes_for(h, approver_b) > b_before; }, 30s));
    CHECK(publishes_for(h, approver_a) > a_before);
    CHECK(contains(text_of_view(*h.slack().home_view(approver_a)), "No plan is waiting for approval."));
}

TEST_CASE("a click on Home takes the channel buttons' approval path: the requester is refused, an approver runs it") {
    bot_harness h;
    // approver_a asks: a deployer and an approver, who still may not approve their own request.
    h.command(approver_a, "/rollback", "web");
    REQUIRE(h.button("A-1", "approve"));
    auto approver_view = open_home(h, approver_b);
    auto approve = button_for(approver_view, "approve", "A-1");
    REQUIRE(approve);
    CHECK(buttons_of(open_home(h, approver_a)).empty());  // the requester is shown none

    // The requester clicks anyway (the same value, e.g. from an older view): refused by the two-person rule.
    click_home(h, approver_a, *approve);
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.vercel_mutations() == 0);
    CHECK(contains(told(h, approver_a), "Nothing was changed."));
    // So is a deployer who is no approver.
    click_home(h, non_approver, *approve);
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(contains(told(h, non_approver), "Nothing was changed."));

    // An approver's click on Home approves and runs it, and the channel message follows.
    click_home(h, approver_b, *approve);
    REQUIRE(h.state_of("A-1") == "succeeded");
    CHECK(h.vercel_mutations() == 1);
    auto events = h.audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "approval.approved") == 1);
    CHECK_FALSE(h.button("A-1", "approve"));
    CHECK(contains(text_of(*h.message_of("A-1")), "Succeeded"));
    // The approver's Home follows the change (they opened it within the hour).
    REQUIRE(h.slack().wait_for(
        [&] { return contains(text_of_view(*h.slack().home_view(approver_b)), "No plan is waiting for approval."); },
        30s));
    CHECK(h.audit_ok());
}

TEST_CASE("the simulator's views.publish answers as Slack does: user_id, a home view and at most 100 blocks") {
    opsbot::sim::slack_simulator slack;
    auto http = opsbot::adapters::make_http_client();
    opsbot::bot::web_api api(*http, slack.api_url(), slack.options().bot_token, slack.options().app_token);
    json::array one{json::object{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "hi"}}}}};

    CHECK(api.publish_view("U01", json::object{{"type", "home"}, {"blocks", one}}));
    REQUIRE(slack.home_view("U01"));
    CHECK(slack.messages("views.publish").size() == 1);

    auto refused = [&](const std::string& user, const json::object& view) {
        auto sent = api.publish_view(user, view);
        REQUIRE_FALSE(sent);
        CHECK(contains(sent.error().message, "invalid_arguments"));
    };
    refused("", json::object{{"type", "home"}, {"blocks", one}});
    refused("U01", json::object{{"type", "modal"}, {"blocks", one}});
    refused("U01", json::object{{"type", "home"}});
    json::array many;
    for (int i = 0; i < 101; ++i) {
        many.push_back(one[0]);
    }
    refused("U01", json::object{{"type", "home"}, {"blocks", many}});
    CHECK(slack.messages("views.publish").size() == 1);  // nothing refused was recorded
    const auto calls = slack.api_calls("views.publish");
    REQUIRE(calls.size() == 5);
    CHECK(calls.back().error == "invalid_arguments");
}

TEST_CASE("a platform that does not answer delays neither the ack nor the Home tab beyond its deadline") {
    bot_harness h;
    h.vercel().knobs().block();  // Vercel holds every request unanswered
    const size_t before = publishes_for(h, approver_a);
    const std::string envelope = h.slack().send_app_home_opened(approver_a);
    REQUIRE_FALSE(envelope.empty());
    h.count_sent();
    // The ack does not wait for the platforms: the work runs on the answer pool after it.
    REQUIRE(h.slack().wait_for([&] { return !h.slack().acks_for(envelope).empty(); }, 10s));
    // The simulator records the view before the call's reply: wait for both.
    REQUIRE(h.slack().wait_for(
        [&] { return publishes_for(h, approver_a) > before && !h.slack().api_calls("views.publish").empty(); }, 30s));
    const auto acked_at = h.slack().acks_for(envelope).front().at;
    const auto published_at = h.slack().api_calls("views.publish").back().at;
    CHECK(acked_at <= published_at);
    // The view went out at the status deadline, saying which platform did not answer; the others still show.
    const std::string text = text_of_view(*h.slack().home_view(approver_a));
    INFO(text);
    CHECK(contains(text, "*web* (Vercel): :warning: Vercel did not answer within 2.0 s"));
    CHECK(contains(text, "*api* (Railway): `" + std::string(railway_live) + "`"));
    CHECK(h.vercel().knobs().wait_blocked(1));
    h.vercel().knobs().release();
    h.settle();
}
