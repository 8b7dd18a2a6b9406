// Reading a block_actions click from an interactive envelope (docs/slack.md §2.2).
#include "bot/block_action.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

using opsbot::bot::envelope;
using opsbot::bot::read_block_action;
namespace json = boost::json;

envelope click_envelope() {
    envelope env;
    env.envelope_id = "e-1";
    env.type = "interactive";
    env.payload = json::parse(R"({
        "type": "block_actions",
        "user": {"id": "U02", "username": "bob", "team_id": "T111"},
        "team": {"id": "T111", "domain": "opsbot-sim"},
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0OPS", "is_ephemeral": false},
        "channel": {"id": "C0OPS", "name": "ops"},
        "response_url": "http://127.0.0.1:1/response/r1",
        "trigger_id": "t1",
        "actions": [{"type": "button", "action_id": "approve", "block_id": "plan_A-1",
                     "value": "A-1:abc", "action_ts": "1700000001.000200"}]
    })").as_object();
    return env;
}

}  // namespace

TEST_CASE("a button click is read with who, where, which message, which button and its value") {
    auto click = read_block_action(click_envelope());
    REQUIRE(click);
    CHECK(click->user == "U02");
    CHECK(click->channel == "C0OPS");
    CHECK(click->message_ts == "1700000000.000100");
    CHECK(click->action_id == "approve");
    CHECK(click->value == "A-1:abc");
    CHECK(click->response_url == "http://127.0.0.1:1/response/r1");
}

TEST_CASE("the channel falls back to container.channel_id") {
    auto env = click_envelope();
    env.payload.erase("channel");
    auto click = read_block_action(env);
    REQUIRE(click);
    CHECK(click->channel == "C0OPS");
}

TEST_CASE("other interactive payloads and malformed clicks are not clicks") {
    SECTION("view_submission") {
        auto env = click_envelope();
        env.payload["type"] = "view_submission";
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("no actions") {
        auto env = click_envelope();
        env.payload["actions"] = json::array{};
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("actions is not an array of objects") {
        auto env = click_envelope();
        env.payload["actions"] = json::array{"approve"};
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("no user") {
        auto env = click_envelope();
        env.payload.erase("user");
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("user id of the wrong type") {
        auto env = click_envelope();
        env.payload["user"] = json::object{{"id", 42}};
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("no channel anywhere") {
        auto env = click_envelope();
        env.payload.erase("channel");
        env.payload.erase("container");
        CHECK_FALSE(read_block_action(env));
    }
    SECTION("no action_id") {
        auto env = click_envelope();
        env.payload["actions"].as_array()[0].as_object().erase("action_id");
        CHECK_FALSE(read_block_action(env));
    }
}

// Issue 15 item 5: a click on the Home tab comes from a view — no channel, no message (docs/slack.md §2.2).
TEST_CASE("a click on the Home tab is read with its view and no channel") {
    auto env = click_envelope();
    env.payload.erase("channel");
    env.payload["container"] = json::object{{"type", "view"}, {"view_id", "V0HOME"}};
    env.payload["view"] = json::object{{"id", "V0HOME"}, {"type", "home"}};
    auto click = read_block_action(env);
    REQUIRE(click);
    CHECK(click->user == "U02");
    CHECK(click->channel.empty());
    CHECK(click->message_ts.empty());
    CHECK(click->view_id == "V0HOME");
    CHECK(click->action_id == "approve");
    CHECK(click->value == "A-1:abc");

    SECTION("a view container without its view_id is not a click") {
        env.payload["container"] = json::object{{"type", "view"}};
        CHECK_FALSE(read_block_action(env));
    }
}
