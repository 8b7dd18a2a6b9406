#pragma once
// Internal to bot/slack/socket_mode_*.cpp: one Socket Mode WebSocket with its reader, serialized writer and
// heartbeat watchdog (docs/slack.md §1.6, §8, §9.2-9.3).

#include "bot/slack/socket_mode_client.hpp"
#include "bot/slack/socket_mode_frames.hpp"
#include "bot/slack/socket_mode_link.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>

namespace opsbot::bot::detail {

class connection;

/// What a connection reports to its owner, always on the I/O thread. `id` is the connection's generation:
/// the owner ignores reports from connections it no longer cares about (§8, instar #1076).
struct connection_events {
    std::function<void(uint64_t id, const hello_frame&)> on_hello;
    std::function<void(uint64_t id, const std::string& reason)> on_disconnect;
    std::function<void(const std::shared_ptr<connection>&, envelope)> on_envelope;
    std::function<void(uint64_t id, const std::string& why)> on_closed;  ///< exactly once
};

class connection : public std::enable_shared_from_this<connection> {
public:
    connection(uint64_t id, boost::asio::any_io_executor executor, std::unique_ptr<ws_link> link,
               const socket_mode_options& options, socket_mode_stats& stats, connection_events events);

    uint64_t id() const { return id_; }
    /// TCP/TLS/WebSocket handshake, bounded by hello_timeout. Throws on failure.
    boost::asio::awaitable<void> open(const ws_target& target);
    /// Starts reading, writing and the heartbeat.
    void start();
    /// Waits until `hello` arrived, the link died, or `timeout` passed; true when hello arrived.
    boost::asio::awaitable<bool> wait_hello(std::chrono::milliseconds timeout);

    /// Queues a text frame; `done(true)` once it is written, `done(false)` if it never will be.
    void send_text(text_frame text, std::function<void(bool)> done = {});
    /// Queues a close frame after the pending writes; the TCP socket is destroyed after close_timeout at most.
    void close(uint16_t code = 1000);
    /// Drops the link at once (dead peer, missed pongs).
    void fail(const std::string& why);

    bool hello_received() const { return hello_received_; }
    bool closing() const { return closing_; }
    bool finished() const { return finished_; }

private:
    struct outgoing {
        enum class kind { text, ping, close } what = kind::text;
        std::string data;  ///< a ping's payload, a close's code
        text_frame text;
        std::function<void(bool)> done;
    };

    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();
    /// Waits while the reader is still adding to the queue (a burst), up to a cap.
    boost::asio::awaitable<void> gather_burst();
    boost::asio::awaitable<void> watchdog();
    void handle_frame(const std::string& text);
    void on_control(bool is_pong, std::string_view payload);
    void enqueue(outgoing item);
    void finish(const std::string& why);

    uint64_t id_;
    boost::asio::any_io_executor executor_;
    std::unique_ptr<ws_link> link_;
    const socket_mode_options& options_;
    socket_mode_stats& stats_;
    connection_events events_;

    std::deque<outgoing> queue_;
    boost::asio::steady_timer write_signal_;
    boost::asio::steady_timer hello_signal_;
    boost::asio::steady_timer watchdog_timer_;
    boost::asio::steady_timer close_deadline_;

    std::chrono::steady_clock::time_point opened_at_;
    std::chrono::steady_clock::time_point last_received_;
    std::chrono::steady_clock::time_point last_ping_;
    std::deque<std::pair<std::string, std::chrono::steady_clock::time_point>> pings_in_flight_;
    uint64_t ping_seq_ = 0;
    bool hello_received_ = false;
    bool closing_ = false;
    bool finished_ = false;
    std::string fail_reason_;
};

}  // namespace opsbot::bot::detail
