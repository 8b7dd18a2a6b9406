// Slack refusing what the bot sends, as the real Web API does (docs/slack.md §3, §4; issue 16 item 5): the
// simulator's refusals through the production web_api client, then the whole bot meeting them.
#include "adapters/http_client.hpp"
#include "bot/slack/web_api.hpp"
#include "sim/slack_simulator.hpp"
#include "tests/support/bot_harness.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace sim = opsbot::sim;
using opsbot::error_kind;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

json::object section(std::string text) {
    return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", std::move(text)}}}};
}

/// The production Web API client against the simulator, its waits recorded instead of slept.
struct slack_client {
    sim::slack_simulator slack;
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;
    std::unique_ptr<opsbot::adapters::http_client> http;
    std::unique_ptr<opsbot::bot::web_api> api;

    slack_client() {
        opsbot::adapters::http_options o;
        o.max_attempts = 2;
        o.request_timeout = 5s;
        o.sleep = [this](std::chrono::milliseconds d) {
            std::lock_guard lock(mutex);
            waits.push_back(d);
        };
        http = opsbot::adapters::make_http_client(o);
        api = std::make_unique<opsbot::bot::web_api>(*http, slack.api_url(), slack.options().bot_token,
                                                     slack.options().app_token);
    }
};

}  // namespace

TEST_CASE("the simulator refuses a post where the bot is not a member: not_in_channel, nothing posted",
          "[slack][refusals]") {
    slack_client c;
    c.slack.remove_bot_from_channel("C0GONE");
    opsbot::bot::message m{"hello", json::array{section("hello")}};
    auto refused = c.api->post_message("C0GONE", m);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::forbidden);
    CHECK(contains(refused.error().message, "not_in_channel"));
    CHECK(contains(refused.error().message, "invite"));
    CHECK(c.slack.messages().empty());
    // Elsewhere, and once invited back, posts go through.
    CHECK(c.api->post_message("C0OTHER", m));
    c.slack.add_bot_to_channel("C0GONE");
    CHECK(c.api->post_message("C0GONE", m));
    CHECK(c.slack.messages("chat.postMessage").size() == 2);
}

TEST_CASE("the simulator refuses Block Kit Slack would not render: invalid_blocks, and text over the limit",
          "[slack][refusals]") {
    slack_client c;
    json::array too_many;
    for (int i = 0; i < 51; ++i) {
        too_many.push_back(section("block " + std::to_string(i)));
    }
    json::array fifty(too_many.begin(), too_many.begin() + 50);
    const std::vector<std::pair<std::string, json::array>> refused_blocks{
        {"51 blocks", too_many},
        {"an unknown block type", json::array{json::object{{"type", "banner"}}}},
        {"a block that is not an object", json::array{"section"}},
        {"a section of 3001 characters", json::array{section(std::string(3001, 'x'))}},
        {"an empty section", json::array{section("")}},
        {"a header of 151 characters",
         json::array{json::object{{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", std::string(151, 'h')}}}}}},
    };
    for (const auto& [what, blocks] : refused_blocks) {
        INFO(what);
        auto refused = c.api->post_message("C1", opsbot::bot::message{"fallback", blocks});
        REQUIRE_FALSE(refused);
        CHECK(refused.error().kind == error_kind::invalid_input);
        CHECK(contains(refused.error().message, "invalid_blocks"));
    }
    auto too_long = c.api->post_message("C1", opsbot::bot::message{std::string(40001, 'y'), {}});
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().kind == error_kind::invalid_input);
    CHECK(contains(too_long.error().message, "msg_too_long"));
    CHECK(c.slack.messages().empty());

    // At the limits, Slack takes them: 50 blocks, a 3000-character section, 40,000 characters of text.
    CHECK(c.api->post_message("C1", opsbot::bot::message{"fallback", fifty}));
    CHECK(c.api->post_message("C1", opsbot::bot::message{"fallback", json::array{section(std::string(3000, 'x'))}}));
    CHECK(c.api->post_message("C1", opsbot::bot::message{std::string(40000, 'y'), {}}));
    CHECK(c.slack.messages().size() == 3);
}

TEST_CASE("chat.* rate-limited by the simulator: 429 + Retry-After, the client waits that long and posts once",
          "[slack][refusals]") {
    slack_client c;
    c.slack.rate_limit_chat(1, 4);
    auto posted = c.api->post_message("C1", opsbot::bot::message{"after the wait", {}});
    REQUIRE(posted);
    auto calls = c.slack.api_calls("chat.postMessage");
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].http_status == 429);
    CHECK(calls[0].error == "ratelimited");
    CHECK(calls[1].http_status == 200);
    {
        std::lock_guard lock(c.mutex);
        REQUIRE(c.waits.size() == 1);
        CHECK(c.waits[0] >= 4000ms);
    }
    CHECK(c.slack.messages("chat.postMessage").size() == 1);
}

// --- the whole bot meeting them ---

TEST_CASE("a /rollback in a channel the bot was removed from: nothing runs, the requester is told to invite it",
          "[slack][refusals][bot]") {
    bot_harness h;
    h.slack().remove_bot_from_channel(ops_channel);
    h.command(requester, "/rollback", "web");

    auto calls = h.slack().api_calls("chat.postMessage");
    CHECK(std::any_of(calls.begin(), calls.end(), [](const auto& c) { return c.error == "not_in_channel"; }));
    CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").empty());
    CHECK(h.vercel_mutations() == 0);
    CHECK_FALSE(h.button("A-1", "approve"));
    // The requester learns why, where Slack still lets the bot answer: the command's response_url.
    auto replies = h.slack().messages("response_url");
    REQUIRE_FALSE(replies.empty());
    CHECK(contains(text_of(replies.back()), "invite"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());

    // Invited back, the same request works.
    h.slack().add_bot_to_channel(ops_channel);
    h.command(requester, "/rollback", "web");
    CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").size() == 1);
    CHECK(h.audit_ok());
}

TEST_CASE("the bot's plan post rate-limited once is posted after the Retry-After, once", "[slack][refusals][bot]") {
    bot_harness h;
    h.slack().rate_limit_chat(1, 1);
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    // The first chat.* call after the knob (the plan post) was refused; the next one came after Retry-After.
    auto calls = h.slack().api_calls("chat.postMessage");
    auto limited = std::find_if(calls.begin(), calls.end(), [](const auto& c) { return c.http_status == 429; });
    REQUIRE(limited != calls.end());
    REQUIRE(limited + 1 != calls.end());
    CHECK((limited + 1)->http_status == 200);
    CHECK((limited + 1)->at - limited->at >= 1s);
    CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").size() == 1);
    CHECK(h.state_of("A-1") == "awaiting_approval");
    CHECK(h.audit_ok());
}

TEST_CASE("a plan post Slack rejects as invalid_blocks or msg_too_long: nothing runs, the requester is told why",
          "[slack][refusals][bot]") {
    for (const auto& [code, advice] : std::vector<std::pair<std::string, std::string>>{
             {"invalid_blocks", "Block Kit"}, {"msg_too_long", "too long"}}) {
        INFO(code);
        bot_harness h;
        h.slack().fail_post_message(ops_channel, 1, code);
        h.command(requester, "/rollback", "web");
        CHECK(messages_in(h.slack(), ops_channel, "chat.postMessage").empty());
        CHECK(h.vercel_mutations() == 0);
        auto replies = h.slack().messages("response_url");
        REQUIRE_FALSE(replies.empty());
        CHECK(contains(text_of(replies.back()), advice));
        CHECK(h.active_locks() == 0);
        CHECK(h.audit_ok());
    }
}

TEST_CASE("the bot removed from the plan's channel after approval: the run completes, the outcome reaches the incident "
          "channel, the audit is whole",
          "[slack][refusals][bot]") {
    bot_harness h;
    h.command(requester, "/rollback", "web");
    REQUIRE(h.message_of("A-1"));
    const auto updates_before = messages_in(h.slack(), ops_channel, "chat.update").size();
    // The click arrives; every chat.* call into the ops channel is refused from now on (not_in_channel).
    auto approve = h.button("A-1", "approve");
    REQUIRE(approve);
    h.slack().remove_bot_from_channel(ops_channel);
    h.click_now(approver_a, *approve);
    h.settle();

    CHECK(h.vercel_mutations() == 1);
    CHECK(h.state_of("A-1") == "succeeded");
    auto calls = h.slack().api_calls("chat.update");
    CHECK(std::any_of(calls.begin(), calls.end(), [](const auto& c) { return c.error == "not_in_channel"; }));
    CHECK(messages_in(h.slack(), ops_channel, "chat.update").size() == updates_before);
    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), "A-1"));
    CHECK(h.active_locks() == 0);
    CHECK(h.audit_ok());
}
