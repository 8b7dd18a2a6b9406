#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::sim {

/// A protocol-faithful fake Slack (docs/slack.md §1-§3) on one loopback port: the Socket Mode WebSocket
/// (/link/?ticket=…), the Web API (/api/<method>) and response_url endpoints (/response/<id>).
/// Used by the integration tests and by `opsbot demo`. Every public member is thread-safe.
struct slack_simulator_options {
    std::string app_token = "xapp-SIMULATOR";  ///< fake; accepted by apps.connections.open
    std::string bot_token = "xoxb-SIMULATOR";  ///< fake; accepted by every other Web API method
    std::string app_id = "A111";
    std::string team_id = "T111";
    std::string team_domain = "opsbot-sim";
    std::string bot_user_id = "U0BOT";
    std::string bot_id = "B0BOT";
    std::chrono::milliseconds server_ping_interval{10000};  ///< the server pings each link this often; 0 = never
    /// After `warning`/`refresh_requested` the server closes the old link itself this long later (§1.3).
    std::chrono::milliseconds disconnect_grace{10000};
};

using connection_id = uint64_t;
/// Targets for the control API: the most recently opened live link, every live link, or one ready link after another
/// (round robin), as Slack spreads an app's envelopes over its several links (replicas, issue 14).
inline constexpr connection_id newest_connection = 0;
inline constexpr connection_id all_connections = std::numeric_limits<uint64_t>::max();
inline constexpr connection_id spread_connections = std::numeric_limits<uint64_t>::max() - 1;

using sim_time = std::chrono::system_clock::time_point;

/// One Socket Mode WebSocket as the server saw it.
struct ws_connection_info {
    connection_id id = 0;
    sim_time opened_at;
    std::optional<sim_time> hello_at;
    std::optional<sim_time> closed_at;
    int close_code = -1;           ///< close code the client sent; -1 = no close frame (dropped)
    bool closed_by_client = false; ///< the client sent the close frame first
    bool open = true;
};

/// An acknowledgement the client sent: `{"envelope_id":…, "payload":{…}?}`.
struct ack_record {
    std::string envelope_id;
    boost::json::object ack;
    sim_time at;
    connection_id connection = 0;
};

/// One Web API call (including refused ones).
struct api_call {
    std::string method;  ///< e.g. "apps.connections.open"
    sim_time at;
    int http_status = 200;
    std::string error;   ///< Slack error code when ok:false
};

/// Something the bot made visible: chat.postMessage, chat.update, chat.postEphemeral or a response_url post.
struct recorded_message {
    /// "chat.postMessage" | "chat.update" | "chat.postEphemeral" | "response_url" | "views.publish" (a Home tab
    /// published: `user` is its user_id, `blocks` the view's blocks, `body` the request)
    std::string kind;
    std::string channel;
    std::string ts;         ///< message ts (for response_url: empty)
    std::string thread_ts;
    std::string user;       ///< ephemeral recipient; for response_url the user who ran the command
    std::string text;
    boost::json::value blocks;  ///< null when absent
    boost::json::object body;   ///< the request JSON exactly as received
    std::string response_id;    ///< for response_url posts
};

class slack_simulator {
public:
    explicit slack_simulator(slack_simulator_options options = {});
    ~slack_simulator();
    slack_simulator(const slack_simulator&) = delete;
    slack_simulator& operator=(const slack_simulator&) = delete;

    uint16_t port() const;
    /// "http://127.0.0.1:PORT"
    std::string base_url() const;
    /// "http://127.0.0.1:PORT/api/": the Web API base for the bot's `slack.api_url`.
    std::string api_url() const;
    const slack_simulator_options& options() const;

    // --- injecting traffic (an empty envelope id means no live link took it) ---

    /// A slash_commands envelope (§2.1) with a response_url pointing at this simulator.
    std::string send_slash_command(const std::string& user_id, const std::string& channel_id,
                                   const std::string& command, const std::string& text,
                                   connection_id on = newest_connection);
    /// A burst: `count` slash commands built first, then handed to the link at once and written back to back (with
    /// spread_connections, each to the next ready link).
    std::vector<std::string> send_slash_commands(const std::string& user_id, const std::string& channel_id,
                                                 const std::string& command, const std::string& text, size_t count,
                                                 connection_id on = newest_connection);
    /// An interactive block_actions envelope for a click on a button of the message `message_ts` (§2.2).
    std::string send_block_action(const std::string& user_id, const std::string& channel_id,
                                  const std::string& message_ts, const std::string& action_id,
                                  const std::string& value, connection_id on = newest_connection);
    /// `user_id` opens the app's Home tab: an events_api `app_home_opened` event (tab "home"), carrying the view last
    /// published for that user as Slack does (issue 15 item 5).
    std::string send_app_home_opened(const std::string& user_id, const std::string& tab = "home",
                                     connection_id on = newest_connection);
    /// A click on a button of `user_id`'s Home tab: block_actions from a view (container type "view", no channel,
    /// no message), with the button's block_id, text and style from the view last published for that user.
    std::string send_home_block_action(const std::string& user_id, const std::string& action_id,
                                       const std::string& value, connection_id on = newest_connection);
    /// An events_api envelope (§2.3) around `event`; a fresh event_id unless one is given.
    std::string send_event(boost::json::object event, std::string event_id = {}, int retry_attempt = 0,
                           connection_id on = newest_connection);
    /// Any envelope; a fresh envelope id unless one is given.
    std::string send_envelope(const std::string& type, boost::json::object payload, bool accepts_response_payload,
                              std::string envelope_id = {}, connection_id on = newest_connection);
    /// Delivers an envelope sent before once more, with the same envelope_id (duplicate delivery).
    bool resend_envelope(const std::string& envelope_id, connection_id on = newest_connection);
    /// Sends any text frame (malformed-frame tests).
    bool send_raw_frame(const std::string& text, connection_id on = newest_connection);
    /// `{"type":"disconnect","reason":…}`; link_disabled and too_many_websockets are followed by a close.
    void send_disconnect(const std::string& reason, connection_id on = newest_connection);
    /// Closes the TCP connection without a close frame.
    void drop_connection(connection_id on = newest_connection);
    /// Stops reading the links open now (so they send no pongs and see no acks) until called with false.
    /// Links opened later are served normally.
    void stop_answering_pings(bool stop = true);
    /// New links get no hello until released (to observe the client before it is ready).
    void hold_hello(bool hold);
    /// The next `times` apps.connections.open calls answer HTTP 429 + Retry-After + ratelimited.
    void rate_limit_connections_open(int times, int retry_after_seconds);
    /// The next `times` chat.postMessage calls to `channel` answer HTTP 200 {"ok":false,"error":`error`}
    /// and post nothing (a Slack outage as the bot sees it).
    void fail_post_message(const std::string& channel, int times, std::string error = "internal_error");

    // --- failing the way Slack fails (docs/slack.md §1.5, §3, §4; issue 16 item 5) ---

    /// The bot is no longer a member of `channel`: chat.postMessage and chat.update there answer
    /// `{"ok":false,"error":"not_in_channel"}` until add_bot_to_channel. Every channel is joined by default.
    void remove_bot_from_channel(const std::string& channel);
    void add_bot_to_channel(const std::string& channel);
    /// The next `times` chat.* calls answer HTTP 429 + Retry-After + ratelimited and post nothing (§3).
    void rate_limit_chat(int times, int retry_after_seconds);
    /// The next `times` WebSocket upgrades are answered with HTTP `status` instead of switching protocols (a
    /// handshake that fails); the ticket they carried stays unused.
    void fail_upgrades(int times, int status = 503);
    /// From now on an events_api envelope sent by send_event and not acked within `deadline` is delivered again
    /// under a new envelope_id with the same event_id, retry_attempt + 1 and retry_reason "timeout", at most
    /// `max_retries` times (§1.5: 3 s, attempts 1..3). Off by default so tests that hold acks keep their meaning.
    void redeliver_unacked_events(std::chrono::milliseconds deadline = std::chrono::seconds(3), int max_retries = 3);

    // --- observations ---

    std::vector<ws_connection_info> connections() const;
    size_t open_connection_count() const;
    std::vector<ack_record> acks() const;
    /// How many acks arrived: cheap enough for a wait_for predicate re-checked on every change (acks() copies).
    size_t ack_count() const;
    /// Waits until at least `count` acks arrived. Unlike wait_for it is woken once, when the count is reached,
    /// not on every change: a benchmark's waiter must not take CPU from the bot on each of a burst's acks.
    bool wait_for_acks(size_t count, std::chrono::milliseconds timeout) const;
    /// The frame sent under `envelope_id` (redelivery tests read retry_attempt / retry_reason from it).
    std::optional<std::string> sent_frame(const std::string& envelope_id) const;
    /// When each envelope sent so far went to a socket (envelope id -> time): ack latency is measured from here.
    std::map<std::string, sim_time> written_at() const;
    std::vector<ack_record> acks_for(const std::string& envelope_id) const;
    std::vector<api_call> api_calls(const std::string& method = {}) const;
    std::vector<recorded_message> messages(const std::string& kind = {}) const;
    /// The view last published with views.publish for `user_id` (the request's "view" object); nullopt when none.
    std::optional<boost::json::object> home_view(const std::string& user_id) const;

    /// Waits until `predicate` (which may call this object) is true, re-checking on every change. No polling sleeps.
    bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;
    /// Called (on the simulator thread) for every recorded message: the demo terminal prints them.
    void on_message(std::function<void(const recorded_message&)> observer);

    /// Closes everything and joins the thread. Idempotent.
    void stop();

    class impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::sim
