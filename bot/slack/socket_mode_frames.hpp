#pragma once

#include "bot/slack/envelope.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace opsbot::bot {

/// `{"type":"hello",…}`: the link is ready (docs/slack.md §1.3).
struct hello_frame {
    int num_connections = 0;
    std::string app_id;
    int approximate_connection_time = 0;  ///< seconds, 0 when absent
};

/// `{"type":"disconnect","reason":…}` (docs/slack.md §1.3).
struct disconnect_frame {
    std::string reason;  ///< link_disabled | warning | refresh_requested | too_many_websockets | other
};

/// A frame that could not be understood; `why` is safe to log (never the frame itself: it may carry user text).
struct malformed_frame {
    std::string why;
};

using socket_mode_frame = std::variant<hello_frame, disconnect_frame, envelope, malformed_frame>;

/// Parses one WebSocket text frame from Slack. Never throws.
socket_mode_frame parse_socket_mode_frame(std::string_view text);

/// A serialized JSON reply shared by every ack that carries it: help's 3 kB are the same for each envelope of a
/// burst, and an ack waiting to be written holds a reference instead of a copy. Null: no payload.
using shared_json = std::shared_ptr<const std::string>;

/// A text frame as it is written: `head`, then `*body` when set, then `tail` (static text).
struct text_frame {
    std::string head;
    shared_json body;
    std::string_view tail;

    std::string joined() const;
};

/// The acknowledgement `{"envelope_id":…}` plus an optional `"payload"` (docs/slack.md §1.4), given as
/// a serialized JSON object and spliced in as it is.
text_frame make_ack(std::string_view envelope_id, shared_json payload_json);

/// Serialized JSON with every non-ASCII character written as a \uXXXX escape (a surrogate pair above U+FFFF;
/// an invalid UTF-8 byte becomes U+FFFD). The same JSON value, in ASCII only: a WebSocket receiver checks a text
/// frame's UTF-8, and Beast's check (the simulator's) goes byte by byte for the rest of a frame after the first
/// non-ASCII byte — the help text's dashes and bullets made that a fifth of the simulator's work per ack.
std::string ascii_json(std::string_view json);

/// The keys under which an envelope is remembered for deduplication: the envelope id, plus `event:<event_id>`
/// for events_api and `click:<message_ts>/<action_id>/<user>/<action_ts>` for block_actions (§1.5, §8).
std::vector<std::string> dedupe_keys(const envelope& env);

}  // namespace opsbot::bot
