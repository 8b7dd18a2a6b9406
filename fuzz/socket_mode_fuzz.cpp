// One WebSocket text frame from Slack's Socket Mode (docs/slack.md §1.3): the frame parser, then what the bot reads
// from an envelope — dedupe keys (§1.5, §8), a slash command's payload (§2.1), a block_actions click (§2.2) and its
// button value ("A-7:<digest>") — and the ack built for it (§1.4).
// Invariants: nothing throws; the ack is JSON that carries the envelope id back; ascii_json keeps a JSON value the
// same value, in ASCII only; a button value that parses splits into parts that join back to it.

#include "bot/block_action.hpp"
#include "bot/button_value.hpp"
#include "bot/slack/socket_mode_frames.hpp"
#include "bot/slash_command.hpp"
#include "commands/grammar/tokenizer.hpp"
#include "fuzz/fuzz_check.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace opsbot;
namespace json = boost::json;

void check_ascii_json(std::string_view text) {
    boost::system::error_code ec;
    json::value original = json::parse(text, ec);
    if (ec) {
        return;
    }
    std::string ascii = bot::ascii_json(text);
    for (char c : ascii) {
        FUZZ_REQUIRE(static_cast<unsigned char>(c) < 0x80);
    }
    json::value again = json::parse(ascii, ec);
    FUZZ_REQUIRE(!ec);
    FUZZ_REQUIRE(again == original);
}

void check_envelope(const bot::envelope& env) {
    FUZZ_REQUIRE(!env.envelope_id.empty());
    auto keys = bot::dedupe_keys(env);
    FUZZ_REQUIRE(!keys.empty() && keys.front() == "envelope:" + env.envelope_id);

    // The ack, with the payload spliced in as serialized JSON: one JSON object holding the same id.
    std::string ack =
        bot::make_ack(env.envelope_id, std::make_shared<const std::string>(json::serialize(env.payload))).joined();
    boost::system::error_code ec;
    json::value parsed = json::parse(ack, ec);
    FUZZ_REQUIRE(!ec && parsed.is_object());
    FUZZ_REQUIRE(parsed.as_object().at("envelope_id").as_string() == env.envelope_id);
    FUZZ_REQUIRE(parsed.as_object().at("payload") == env.payload);

    if (auto command = bot::read_slash_command(env)) {
        FUZZ_REQUIRE(!command->invocation.command.empty());
        auto tokens = commands::tokenize(command->invocation.text);
        FUZZ_REQUIRE(tokens.has_value() || !tokens.error().message.empty());
    }
    if (auto click = bot::read_block_action(env)) {
        FUZZ_REQUIRE(!click->user.empty() && !click->channel.empty() && !click->action_id.empty());
        std::string action_id;
        std::string digest;
        if (bot::parse_button_value(click->value, action_id, digest)) {
            FUZZ_REQUIRE(action_id + ":" + digest == click->value);
            FUZZ_REQUIRE(action_id.starts_with("A-") && digest.size() == 64);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_ascii_json(text);
    // A button value on its own (it is also reached through a block_actions payload above).
    std::string action_id;
    std::string digest;
    if (bot::parse_button_value(text, action_id, digest)) {
        FUZZ_REQUIRE(action_id + ":" + digest == text);
    }
    auto frame = bot::parse_socket_mode_frame(text);
    if (auto* env = std::get_if<bot::envelope>(&frame)) {
        check_envelope(*env);
    } else if (auto* bad = std::get_if<bot::malformed_frame>(&frame)) {
        FUZZ_REQUIRE(!bad->why.empty());
    }
    return 0;
}
