// WebSocket transport of the Socket Mode client: ws:// for loopback tests, wss:// with SNI and host-name
// verification otherwise (docs/slack.md §1.2, §9.1; Beast example websocket/client/async-ssl).
#include "bot/slack/socket_mode_link.hpp"

#include "adapters/tcp_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <type_traits>

namespace opsbot::bot::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

bool is_loopback(std::string_view host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

template <class Stream>
class link_impl final : public ws_link {
public:
    template <class... Args>
    explicit link_impl(asio::any_io_executor executor, Args&&... args)
        : executor_(executor), ws_(executor, std::forward<Args>(args)...) {}

    asio::awaitable<void> connect(const ws_target& target, std::chrono::milliseconds timeout) override {
        tcp::resolver resolver(executor_);
        asio::steady_timer resolve_deadline(executor_, timeout);
        resolve_deadline.async_wait([&resolver](const boost::system::error_code& ec) {
            if (!ec) {
                resolver.cancel();
            }
        });
        auto endpoints = co_await resolver.async_resolve(target.host, target.port, use_awaitable);
        resolve_deadline.cancel();

        auto& tcp_layer = beast::get_lowest_layer(ws_);
        tcp_layer.expires_after(timeout);
        co_await adapters::async_connect_close_on_exec(tcp_layer, endpoints, use_awaitable);
        set_no_delay();
        if constexpr (std::is_same_v<Stream, websocket::stream<beast::ssl_stream<beast::tcp_stream>>>) {
            // §9.1: SNI = host, and the certificate must name the host.
            if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), target.host.c_str())) {
                throw boost::system::system_error(
                    boost::system::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
            }
            ws_.next_layer().set_verify_callback(asio::ssl::host_name_verification(target.host));
            co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::client, use_awaitable);
        }
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "opsbot/0.1"); }));
        ws_.read_message_max(4 * 1024 * 1024);
        std::string host_header = target.host + ":" + target.port;
        co_await ws_.async_handshake(host_header, target.target, use_awaitable);
        // Beast: after the handshake the websocket manages time itself; our client bounds every stage.
        tcp_layer.expires_never();
        ws_.set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                       websocket::stream_base::none(), false});
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (control_) {
                control_(kind == websocket::frame_type::pong, std::string_view(payload.data(), payload.size()));
            }
        });
    }

    asio::awaitable<std::string> read() override {
        // One buffer for the link's life: its capacity stays, so a burst of envelopes costs no allocation here.
        read_buffer_.consume(read_buffer_.size());
        co_await ws_.async_read(read_buffer_, use_awaitable);
        co_return beast::buffers_to_string(read_buffer_.data());
    }

    asio::awaitable<void> write_text(const text_frame& text, bool more_follow) override {
        // A burst's acks are corked into few TCP segments while more follow; uncorking after the last pushes them
        // out at once. Each ack pushed on its own costs the kernel a delivery to the peer and a wake-up, more than
        // the bot's own work for the envelope (bench/ack_latency). Nagle alone did not gather on loopback: the
        // peer's ACK comes back before the next ack is written. One system call per change, not per ack.
        if (more_follow) {
            set_cork(true);
        }
        ws_.text(true);
        const std::array<asio::const_buffer, 3> parts{asio::buffer(text.head),
                                                      text.body ? asio::buffer(*text.body) : asio::const_buffer(),
                                                      asio::buffer(text.tail)};
        co_await ws_.async_write(parts, use_awaitable);
        if (!more_follow) {
            set_cork(false);
        }
    }

    asio::awaitable<void> ping(std::string payload) override {
        set_cork(false);  // a ping behind a burst must not wait either
        co_await ws_.async_ping(websocket::ping_data(payload.c_str()), use_awaitable);
    }

    asio::awaitable<void> close(uint16_t code) override {
        set_cork(false);
        co_await ws_.async_close(websocket::close_reason(code), use_awaitable);
    }

    void destroy() override {
        beast::get_lowest_layer(ws_).close();
    }

    void on_control(std::function<void(bool, std::string_view)> handler) override { control_ = std::move(handler); }

private:
    void set_no_delay() {
        boost::system::error_code ec;  // not fatal: only timing depends on it
        beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ec);
    }

    void set_cork(bool on) {
        if (on == corked_) {
            return;
        }
        int value = on ? 1 : 0;  // not fatal if refused: only timing depends on it
        ::setsockopt(beast::get_lowest_layer(ws_).socket().native_handle(), IPPROTO_TCP, TCP_CORK, &value,
                     sizeof value);
        corked_ = on;
    }

    asio::any_io_executor executor_;
    Stream ws_;
    beast::flat_buffer read_buffer_;
    bool corked_ = false;
    std::function<void(bool, std::string_view)> control_;
};

}  // namespace

result<ws_target> parse_ws_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return fail(error_kind::bad_response, "apps.connections.open returned an unparsable URL");
    }
    ws_target target;
    auto scheme = parsed->scheme();
    if (scheme == "wss") {
        target.tls = true;
    } else if (scheme == "ws") {
        target.tls = false;
    } else {
        return fail(error_kind::bad_response, "Socket Mode URL scheme must be wss:// (got '" + std::string(scheme) + "')");
    }
    target.host = std::string(parsed->host());
    if (target.host.empty()) {
        return fail(error_kind::bad_response, "Socket Mode URL has no host");
    }
    if (!target.tls && !is_loopback(target.host)) {
        return fail(error_kind::invalid_input, "refusing unencrypted ws:// to non-loopback host " + target.host);
    }
    target.port = parsed->has_port() ? std::string(parsed->port()) : (target.tls ? "443" : "80");
    target.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
    if (parsed->has_query()) {
        target.target += "?" + std::string(parsed->encoded_query());
    }
    return target;
}

std::unique_ptr<ws_link> make_ws_link(asio::any_io_executor executor, asio::ssl::context* ssl_context) {
    if (ssl_context != nullptr) {
        return std::make_unique<link_impl<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>>(executor,
                                                                                                   *ssl_context);
    }
    return std::make_unique<link_impl<websocket::stream<beast::tcp_stream>>>(executor);
}

result<void> configure_tls_context(asio::ssl::context& ctx, bool verify, const std::string& ca_file) {
    boost::system::error_code ec;
    if (!verify) {
        ctx.set_verify_mode(asio::ssl::verify_none, ec);
        return {};
    }
    ctx.set_verify_mode(asio::ssl::verify_peer, ec);
    if (!ec) {
        ctx.set_default_verify_paths(ec);
    }
    if (!ec && !ca_file.empty()) {
        ctx.load_verify_file(ca_file, ec);
    }
    if (ec) {
        return fail(error_kind::invalid_input, "TLS setup failed: " + ec.message());
    }
    return {};
}

}  // namespace opsbot::bot::detail
