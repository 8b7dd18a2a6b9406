#pragma once

#include "bot/slack/envelope.hpp"
#include "bot/slack/socket_mode_frames.hpp"
#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace opsbot::bot {

struct socket_mode_options {
    std::chrono::milliseconds hello_timeout{10000};
    std::chrono::milliseconds ping_interval{5000};   ///< client pings with a unique payload
    std::chrono::milliseconds pong_timeout{15000};   ///< no matching pong this long -> reconnect
    std::chrono::milliseconds server_silence{45000}; ///< nothing at all from the server this long -> reconnect
    std::chrono::milliseconds backoff_initial{1000};
    std::chrono::milliseconds backoff_max{60000};
    std::chrono::milliseconds close_timeout{2000};   ///< a close handshake that stalls is cut
    bool verify_tls = true;
    std::string ca_file;
    size_t dedupe_capacity = 10000;                  ///< remembered envelope ids and event ids
};

/// How a run ended.
enum class socket_mode_exit {
    stopped = 0,        ///< stop() was called: acks finished, socket closed with 1000
    link_disabled = 2,  ///< Slack said Socket Mode is off for this app
    auth_failed = 3,    ///< not_authed / invalid_auth / account_inactive…: retrying cannot help
};

struct socket_mode_hooks {
    /// apps.connections.open: returns a fresh wss:// URL. Called off the I/O thread, once per connection.
    /// An error with kind auth stops the client; rate_limited honours retry_after.
    std::function<result<std::string>()> open_connection;
    /// Computes the optional ack payload on the I/O thread (must be cheap: parse + help, never I/O), as a
    /// serialized JSON object (null: none): a reply that never changes (help) can then be serialized once and
    /// shared by every ack that carries it.
    std::function<shared_json(const envelope&)> ack_payload;
    /// Receives every new (deduplicated) envelope once its ack is written, on the I/O thread:
    /// must return at once (post the work to a pool).
    std::function<void(envelope)> on_envelope;
};

struct socket_mode_stats {
    std::atomic<uint64_t> connections_opened{0};
    std::atomic<uint64_t> envelopes_acked{0};
    std::atomic<uint64_t> duplicates_ignored{0};
    std::atomic<uint64_t> malformed_frames{0};
    std::atomic<uint64_t> reconnects{0};
};

/// Slack Socket Mode client (docs/slack.md §1, §8, §9). Owns its I/O thread; Beast stays in the .cpp.
class socket_mode_client {
public:
    socket_mode_client(socket_mode_options options, socket_mode_hooks hooks);
    ~socket_mode_client();
    socket_mode_client(const socket_mode_client&) = delete;
    socket_mode_client& operator=(const socket_mode_client&) = delete;

    /// Connects and serves until stop() or a fatal condition. Blocking.
    socket_mode_exit run();

    /// Thread-safe: stop taking envelopes, finish pending acks, close with 1000, make run() return.
    void stop();

    /// Blocks until the first `hello` arrived (or the timeout passed). For tests and benchmarks.
    bool wait_ready(std::chrono::milliseconds timeout);

    const socket_mode_stats& stats() const;
    /// Thread-safe: a current connection said hello and has not closed since (the operators' /readyz).
    bool link_up() const;
    /// The human reason of the last fatal exit (e.g. "Slack disabled Socket Mode for this app (link_disabled)").
    std::string fatal_reason() const;

private:
    class impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::bot
