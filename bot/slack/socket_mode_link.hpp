#pragma once
// Internal to bot/slack/socket_mode_*.cpp (not a public interface): the WebSocket transport of one Socket Mode
// connection, plain ws:// (loopback only) or wss:// with TLS. Asio appears here because the coroutine types do.

#include "bot/slack/socket_mode_frames.hpp"
#include "core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace opsbot::bot::detail {

struct ws_target {
    bool tls = true;
    std::string host;
    std::string port;
    std::string target;  ///< path and query, e.g. /link/?ticket=…&app_id=…
};

/// Splits a Socket Mode URL; refuses ws:// unless the host is a loopback address (DESIGN: TLS always).
result<ws_target> parse_ws_url(std::string_view url);

/// One WebSocket. Every awaitable throws boost::system::system_error on failure (callers catch at the top).
/// At most one read and one write (text, ping or close) may be outstanding, as in Beast.
class ws_link {
public:
    virtual ~ws_link() = default;
    /// DNS, TCP, TLS (SNI + host-name check) and the upgrade, all within `timeout`.
    virtual boost::asio::awaitable<void> connect(const ws_target& target, std::chrono::milliseconds timeout) = 0;
    /// The next text (or binary) message. Control frames are reported through the control handler.
    virtual boost::asio::awaitable<std::string> read() = 0;
    /// `more_follow`: further frames are queued right behind this one (a burst of acks).
    virtual boost::asio::awaitable<void> write_text(const text_frame& text, bool more_follow) = 0;
    virtual boost::asio::awaitable<void> ping(std::string payload) = 0;
    virtual boost::asio::awaitable<void> close(uint16_t code) = 0;
    /// Closes the TCP socket at once (no close frame): every pending operation completes with an error.
    virtual void destroy() = 0;
    /// Called for every ping/pong/close frame received (`is_pong` true for pongs).
    virtual void on_control(std::function<void(bool is_pong, std::string_view payload)> handler) = 0;
};

/// A plain ws:// link when `ssl_context` is null, else wss:// through it.
std::unique_ptr<ws_link> make_ws_link(boost::asio::any_io_executor executor, boost::asio::ssl::context* ssl_context);

/// A TLS client context: peer verification against the system store (+ ca_file) unless verify is false.
result<void> configure_tls_context(boost::asio::ssl::context& ctx, bool verify, const std::string& ca_file);

}  // namespace opsbot::bot::detail
