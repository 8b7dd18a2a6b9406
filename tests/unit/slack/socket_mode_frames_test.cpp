#include "bot/slack/socket_mode_frames.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace opsbot::bot;

TEST_CASE("hello frames are recognised with their connection info", "[socket_mode]") {
    auto frame = parse_socket_mode_frame(
        R"({"type":"hello","num_connections":2,"debug_info":{"host":"applink-111-xxx","build_number":10,)"
        R"("approximate_connection_time":18060},"connection_info":{"app_id":"A111"}})");
    auto* hello = std::get_if<hello_frame>(&frame);
    REQUIRE(hello != nullptr);
    CHECK(hello->num_connections == 2);
    CHECK(hello->app_id == "A111");
    CHECK(hello->approximate_connection_time == 18060);
}

TEST_CASE("disconnect frames carry their reason", "[socket_mode]") {
    auto frame = parse_socket_mode_frame(
        R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"wss-111.slack.com"}})");
    auto* disconnect = std::get_if<disconnect_frame>(&frame);
    REQUIRE(disconnect != nullptr);
    CHECK(disconnect->reason == "refresh_requested");
}

TEST_CASE("a slash command envelope is parsed (reference §2.1)", "[socket_mode]") {
    auto frame = parse_socket_mode_frame(
        R"({"envelope_id":"1d3c79ab","payload":{"team_id":"T111","channel_id":"C111","user_id":"U111",)"
        R"("command":"/deploy","text":"status","is_enterprise_install":"false"},)"
        R"("type":"slash_commands","accepts_response_payload":true})");
    auto* env = std::get_if<envelope>(&frame);
    REQUIRE(env != nullptr);
    CHECK(env->envelope_id == "1d3c79ab");
    CHECK(env->type == "slash_commands");
    CHECK(env->accepts_response_payload);
    CHECK(env->payload.at("command").as_string() == "/deploy");
    CHECK(env->retry_attempt == 0);
}

TEST_CASE("events_api envelopes keep retry_attempt", "[socket_mode]") {
    auto frame = parse_socket_mode_frame(
        R"({"envelope_id":"e2","type":"events_api","accepts_response_payload":false,"retry_attempt":2,)"
        R"("retry_reason":"timeout","payload":{"event_id":"Ev1","event":{"type":"app_mention"}}})");
    auto* env = std::get_if<envelope>(&frame);
    REQUIRE(env != nullptr);
    CHECK(env->retry_attempt == 2);
    CHECK(dedupe_keys(*env) == std::vector<std::string>{"envelope:e2", "event:Ev1"});
}

TEST_CASE("unknown envelope types still parse as envelopes", "[socket_mode]") {
    auto frame = parse_socket_mode_frame(R"({"envelope_id":"e3","type":"something_new"})");
    auto* env = std::get_if<envelope>(&frame);
    REQUIRE(env != nullptr);
    CHECK(env->type == "something_new");
    CHECK(env->payload.empty());
}

TEST_CASE("malformed frames are reported, never thrown", "[socket_mode]") {
    auto input = GENERATE(as<std::string>{}, "", "not json", "[1,2]", R"({"no":"type"})", R"({"type":7})",
                          R"({"type":"interactive"})", R"({"type":"interactive","envelope_id":5})",
                          R"({"type":"interactive","envelope_id":""})",
                          R"({"type":"interactive","envelope_id":"x","payload":[]})",
                          R"({"type":"interactive","envelope_id":"x","accepts_response_payload":"yes"})",
                          R"({"type":"events_api","envelope_id":"x","retry_attempt":"1"})");
    CAPTURE(input);
    auto frame = parse_socket_mode_frame(input);
    REQUIRE(std::holds_alternative<malformed_frame>(frame));
    CHECK_FALSE(std::get<malformed_frame>(frame).why.empty());
}

TEST_CASE("acks carry the envelope id and the payload only when there is one (reference §1.4)", "[socket_mode]") {
    auto plain = boost::json::parse(make_ack("abc", nullptr).joined()).as_object();
    CHECK(plain == boost::json::object{{"envelope_id", "abc"}});
    auto payload = std::make_shared<const std::string>(R"({"text":"working"})");
    auto with = boost::json::parse(make_ack("abc", payload).joined()).as_object();
    CHECK(with.at("envelope_id").as_string() == "abc");
    CHECK(with.at("payload").at("text").as_string() == "working");
    // The id is escaped as a JSON string whatever it holds.
    auto odd = boost::json::parse(make_ack("a\"b\\c", nullptr).joined()).as_object();
    CHECK(odd.at("envelope_id").as_string() == "a\"b\\c");
}

TEST_CASE("a button click is keyed by message, action, user and action_ts", "[socket_mode]") {
    envelope env;
    env.envelope_id = "e9";
    env.type = "interactive";
    env.payload = boost::json::parse(
                      R"({"type":"block_actions","user":{"id":"U1"},"container":{"message_ts":"1.2"},)"
                      R"("actions":[{"action_id":"approve","action_ts":"3.4"}]})")
                      .as_object();
    CHECK(dedupe_keys(env) == std::vector<std::string>{"envelope:e9", "click:1.2/approve/U1/3.4"});
}

TEST_CASE("ack payloads are written in ASCII: non-ASCII characters become \\u escapes of the same JSON",
          "[socket_mode]") {
    // é (2 bytes), — (3 bytes), 😀 (4 bytes: a surrogate pair), and ASCII around them.
    const std::string text = "caf\xc3\xa9 \xe2\x80\x94 ok \xf0\x9f\x98\x80!";
    const std::string json = boost::json::serialize(boost::json::object{{"text", text}, {"n", 1}});
    const std::string ascii = ascii_json(json);
    CHECK(ascii == R"({"text":"caf\u00e9 \u2014 ok \ud83d\ude00!","n":1})");
    CHECK(std::all_of(ascii.begin(), ascii.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
    CHECK(boost::json::parse(ascii) == boost::json::parse(json));
    // Pure ASCII is unchanged; an invalid byte (a lone continuation byte, a truncated sequence) becomes U+FFFD.
    CHECK(ascii_json(R"({"a":"plain \"quoted\""})") == R"({"a":"plain \"quoted\""})");
    CHECK(ascii_json("\"x\x80y\"") == R"("x\ufffdy")");
    CHECK(ascii_json("\"\xe2\x80\"") == R"("\ufffd\ufffd")");
    CHECK(ascii_json("\"\xc0\xaf\"") == R"("\ufffd\ufffd")");  // overlong '/'
}
