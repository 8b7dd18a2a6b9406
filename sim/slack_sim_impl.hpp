#pragma once
// Internal to sim/slack_sim*.cpp: the simulator's shared state. slack_simulator.cpp holds the control API and
// the Web API handlers; slack_sim_socket.cpp the listener, HTTP and WebSocket sessions.

#include "sim/slack_simulator.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace opsbot::sim {

/// A live WebSocket session; every call must be made on the simulator's I/O thread.
class ws_session_base {
public:
    virtual ~ws_session_base() = default;
    /// `envelope_id`, when given, is recorded with the time the frame goes to the socket (written_at).
    virtual void send_text(std::string text, std::string envelope_id = {}) = 0;
    virtual void send_close(uint16_t code) = 0;
    virtual void drop() = 0;
    virtual void set_paused(bool paused) = 0;
    /// Sends a close frame (1000) after `delay` unless the link closed before.
    virtual void close_after(std::chrono::milliseconds delay) = 0;
};

struct http_reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

class slack_simulator::impl {
public:
    explicit impl(slack_simulator_options options);

    // Network side (slack_sim_socket.cpp).
    void start_network();
    void stop_network();

    // Called on the I/O thread by the sessions.
    http_reply handle_http(const std::string& method, const std::string& target,
                           const std::map<std::string, std::string>& headers, const std::string& body);
    /// A WebSocket upgrade: the ticket must have been issued and not used yet.
    std::optional<connection_id> claim_ticket(const std::string& target);
    void on_ws_open(connection_id id, std::shared_ptr<ws_session_base> session);
    void on_ws_message(connection_id id, std::string text);
    /// The moment an envelope's frame is handed to the socket: when "Slack sent it".
    void on_envelope_written(const std::string& envelope_id, sim_time at);
    /// Parses the frames read since the last call into acks_ (mutex_ held). Parsing waits until someone looks,
    /// so the I/O thread only takes the frame and its arrival time: a burst's 2 kB acks are not parsed on the
    /// thread that also writes the next envelopes, on the cores the bot under test needs.
    void settle_acks() const;
    void on_ws_closed(connection_id id, int close_code, bool client_initiated);

    // Control side (any thread).
    /// Sends (envelope id, frame) pairs in order and remembers them for resend_envelope; returns the ids, each
    /// empty when no live link took it.
    std::vector<std::string> deliver(std::vector<std::pair<std::string, std::string>> batch, connection_id on);
    bool deliver_raw(std::string frame, connection_id on);
    static std::string envelope_frame(const std::string& envelope_id, const std::string& type,
                                      boost::json::object payload, bool accepts_response_payload);
    boost::json::object slash_command_payload(const std::string& user_id, const std::string& channel_id,
                                              const std::string& command, const std::string& text);
    /// Runs `fn` on the I/O thread for each targeted live link; returns how many were targeted.
    size_t for_targets(connection_id on, std::function<void(connection_id, std::shared_ptr<ws_session_base>)> fn);
    void changed();  ///< bumps the generation and wakes wait_for (mutex_ held by the caller)
    std::string make_id(std::string_view prefix);
    std::string make_ts();
    /// Web API and response_url handlers (slack_sim_web_api.cpp), mutex_ not held.
    http_reply handle_api(const std::string& method, const std::map<std::string, std::string>& headers,
                          const std::string& body);
    http_reply handle_response_url(const std::string& id, const std::string& body);
    std::string hello_frame(connection_id id) const;
    std::string base_url() const;
    void record_message(recorded_message message);
    /// views.publish (slack_sim_home.cpp): validates as Slack does and records the view; the reply body.
    boost::json::object publish_view(const boost::json::object& body);

    slack_simulator_options options_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_{ioc_};
    std::thread thread_;
    uint16_t port_ = 0;
    bool stopped_ = false;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_cv_;
    uint64_t generation_ = 0;
    std::mt19937_64 rng_{std::random_device{}()};
    std::map<std::string, bool> tickets_;  ///< ticket -> used
    connection_id next_connection_ = 0;
    std::map<connection_id, ws_connection_info> connections_;
    std::map<connection_id, std::shared_ptr<ws_session_base>> sessions_;
    std::map<std::string, std::string> sent_envelopes_;  ///< envelope id -> frame
    struct unread_frame {
        std::string text;
        sim_time at;
        connection_id connection;
    };
    mutable std::vector<unread_frame> unread_frames_;  ///< read from the links, not parsed yet
    mutable std::vector<ack_record> acks_;
    std::map<std::string, sim_time> written_at_;  ///< envelope id -> when its frame first went to a socket
    /// Counts that wait_for_acks callers wait for; they are woken when the smallest is reached, not per ack.
    mutable std::multiset<size_t> ack_targets_;
    size_t spread_next_ = 0;  ///< spread_connections: the next ready link, counted round robin
    mutable std::condition_variable acks_cv_;
    std::vector<api_call> calls_;
    std::vector<recorded_message> messages_;
    std::map<std::string, recorded_message> current_messages_;  ///< "channel/ts" -> latest posted or updated
    std::map<std::string, std::pair<std::string, std::string>> response_urls_;  ///< id -> (channel, user)
    std::function<void(const recorded_message&)> observer_;
    int rate_limit_remaining_ = 0;
    int retry_after_seconds_ = 1;
    std::map<std::string, std::pair<int, std::string>> post_failures_;  ///< channel -> (times left, error)
    bool hold_hello_ = false;
    // Failing the way Slack fails (slack_sim_failures.cpp).
    std::set<std::string> left_channels_;  ///< channels the bot was removed from: not_in_channel
    int chat_rate_limit_remaining_ = 0;
    int chat_retry_after_seconds_ = 1;
    std::optional<std::chrono::milliseconds> redelivery_deadline_;  ///< unset: no ack deadline
    int redelivery_max_retries_ = 3;
    int upgrade_failures_left_ = 0;
    int upgrade_failure_status_ = 503;
    /// The status to refuse this WebSocket upgrade with, consuming one refusal; nothing when none is queued.
    std::optional<int> take_upgrade_failure();
    /// The refusal Slack gives a chat.* call before posting (rate limit, membership, Block Kit, length), if any.
    std::optional<http_reply> refuse_chat(const std::string& method, const boost::json::object& body);
    /// When redelivery is on and `attempt` (the envelope's retry_attempt) is below the maximum: after the ack
    /// deadline, calls `again` on the I/O thread unless `envelope_id` was acked by then.
    void on_ack_deadline(const std::string& envelope_id, int attempt, std::function<void()> again);
    uint64_t ts_counter_ = 0;
    std::map<std::string, boost::json::object> home_views_;  ///< user id -> the Home view last published
};

}  // namespace opsbot::sim
