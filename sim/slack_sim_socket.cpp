// The simulator's network side: one loopback listener serving HTTP (Web API, response_url) and the Socket Mode
// WebSocket upgrade on /link/ (reference/slack.md §1.2-§1.4).
#include "sim/slack_sim_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <deque>

namespace opsbot::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

/// A tcp_stream whose reads can be held back: while paused, received bytes are not handed to the WebSocket
/// layer, so Beast neither sees the client's pings (no pongs go out) nor its acks — a server that stopped
/// reading its socket.
class pausable_stream {
public:
    using executor_type = beast::tcp_stream::executor_type;

    explicit pausable_stream(beast::tcp_stream&& stream) : next_(std::move(stream)), gate_(next_.get_executor()) {
        gate_.expires_at(asio::steady_timer::time_point::max());
    }

    executor_type get_executor() { return next_.get_executor(); }
    beast::tcp_stream& next_layer() { return next_; }
    const beast::tcp_stream& next_layer() const { return next_; }

    void set_paused(bool paused) {
        paused_ = paused;
        if (paused) {
            gate_.expires_at(asio::steady_timer::time_point::max());
        } else {
            gate_.cancel();
        }
    }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                next_.async_read_some(b, [this, h = std::move(handler)](beast::error_code ec, std::size_t n) mutable {
                    if (!paused_) {
                        std::move(h)(ec, n);
                        return;
                    }
                    gate_.async_wait([h = std::move(h), ec, n](beast::error_code) mutable { std::move(h)(ec, n); });
                });
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return next_.async_write_some(buffers, std::forward<Token>(token));
    }

private:
    beast::tcp_stream next_;
    asio::steady_timer gate_;
    bool paused_ = false;
};

[[maybe_unused]] void teardown(beast::role_type role, pausable_stream& stream, beast::error_code& ec) {
    using beast::websocket::teardown;
    teardown(role, stream.next_layer().socket(), ec);
}

template <class Handler>
void async_teardown(beast::role_type role, pausable_stream& stream, Handler&& handler) {
    using beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer().socket(), std::forward<Handler>(handler));
}

asio::awaitable<void> wait_signal(asio::steady_timer& timer) {
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

class ws_session final : public ws_session_base, public std::enable_shared_from_this<ws_session> {
public:
    ws_session(slack_simulator::impl& sim, connection_id id, beast::tcp_stream&& stream)
        : sim_(sim),
          id_(id),
          ws_(pausable_stream(std::move(stream))),
          write_signal_(sim.ioc_),
          ping_timer_(sim.ioc_),
          grace_timer_(sim.ioc_) {}

    asio::awaitable<void> run(http::request<http::string_body> request) {
        ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), websocket::stream_base::none(),
                                                       false});
        co_await ws_.async_accept(request, use_awaitable);
        auto self = shared_from_this();
        asio::co_spawn(sim_.ioc_, [self] { return self->write_loop(); }, asio::detached);
        if (sim_.options_.server_ping_interval.count() > 0) {
            asio::co_spawn(sim_.ioc_, [self] { return self->ping_loop(); }, asio::detached);
        }
        sim_.on_ws_open(id_, self);
        int code = -1;
        try {
            for (;;) {
                beast::flat_buffer buffer;
                co_await ws_.async_read(buffer, use_awaitable);
                sim_.on_ws_message(id_, beast::buffers_to_string(buffer.data()));
            }
        } catch (const boost::system::system_error& e) {
            if (e.code() == websocket::error::closed) {
                code = ws_.reason().code;
            }
        }
        finished_ = true;
        write_signal_.cancel();
        ping_timer_.cancel();
        grace_timer_.cancel();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        sim_.on_ws_closed(id_, code, code >= 0 && !server_closed_);
    }

    void send_text(std::string text) override { enqueue(item{kind::text, std::move(text), 0}); }

    void send_close(uint16_t code) override {
        if (server_closed_) {
            return;
        }
        server_closed_ = true;
        enqueue(item{kind::close, {}, code});
    }

    void drop() override {
        ws_.next_layer().set_paused(false);
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    void set_paused(bool paused) override { ws_.next_layer().set_paused(paused); }

    void close_after(std::chrono::milliseconds delay) override {
        grace_timer_.expires_after(delay);
        grace_timer_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
            if (!ec && !self->finished_) {
                self->send_close(1000);
            }
        });
    }

private:
    enum class kind { text, ping, close };
    struct item {
        kind what;
        std::string data;
        uint16_t code;
    };

    void enqueue(item it) {
        if (finished_) {
            return;
        }
        queue_.push_back(std::move(it));
        write_signal_.cancel();
    }

    asio::awaitable<void> write_loop() {
        auto self = shared_from_this();
        while (!finished_) {
            if (queue_.empty()) {
                write_signal_.expires_at(asio::steady_timer::time_point::max());
                co_await wait_signal(write_signal_);
                continue;
            }
            item it = std::move(queue_.front());
            queue_.pop_front();
            try {
                if (it.what == kind::text) {
                    ws_.text(true);
                    co_await ws_.async_write(asio::buffer(it.data), use_awaitable);
                } else if (it.what == kind::ping) {
                    co_await ws_.async_ping(websocket::ping_data(it.data.c_str()), use_awaitable);
                } else {
                    co_await ws_.async_close(websocket::close_reason(it.code), use_awaitable);
                    co_return;
                }
            } catch (const std::exception& e) {
                spdlog::debug("slack sim: link {} write failed: {}", id_, e.what());
                co_return;
            }
        }
    }

    asio::awaitable<void> ping_loop() {
        auto self = shared_from_this();
        uint64_t n = 0;
        while (!finished_) {
            ping_timer_.expires_after(sim_.options_.server_ping_interval);
            co_await wait_signal(ping_timer_);
            if (!finished_ && !server_closed_) {
                enqueue(item{kind::ping, "sim-ping-" + std::to_string(++n), 0});
            }
        }
    }

    slack_simulator::impl& sim_;
    connection_id id_;
    websocket::stream<pausable_stream> ws_;
    std::deque<item> queue_;
    asio::steady_timer write_signal_;
    asio::steady_timer ping_timer_;
    asio::steady_timer grace_timer_;
    bool finished_ = false;
    bool server_closed_ = false;
};

http::response<http::string_body> make_response(const http_reply& reply, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(reply.status), version};
    res.set(http::field::server, "opsbot-slack-sim");
    for (const auto& [name, value] : reply.headers) {
        res.set(name, value);
    }
    res.body() = reply.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

asio::awaitable<void> serve(slack_simulator::impl& sim, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    try {
        for (;;) {
            stream.expires_after(std::chrono::seconds(60));
            http::request<http::string_body> request;
            co_await http::async_read(stream, buffer, request, use_awaitable);
            std::string target(request.target());
            if (websocket::is_upgrade(request)) {
                auto id = sim.claim_ticket(target);
                if (!id) {
                    // §1.1: a ticket is good for one connection only.
                    http_reply refused{403, {{"Content-Type", "text/plain"}}, "invalid or already used ticket\n"};
                    auto res = make_response(refused, request.version(), false);
                    co_await http::async_write(stream, res, use_awaitable);
                    stream.socket().shutdown(tcp::socket::shutdown_send);
                    co_return;
                }
                stream.expires_never();
                auto session = std::make_shared<ws_session>(sim, *id, std::move(stream));
                co_await session->run(std::move(request));
                co_return;
            }
            std::map<std::string, std::string> headers;
            for (const auto& field : request) {
                std::string name(field.name_string());
                std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
                headers[name] = std::string(field.value());
            }
            auto reply = sim.handle_http(std::string(request.method_string()), target, headers, request.body());
            bool keep_alive = request.keep_alive();
            auto res = make_response(reply, request.version(), keep_alive);
            co_await http::async_write(stream, res, use_awaitable);
            if (!keep_alive) {
                stream.socket().shutdown(tcp::socket::shutdown_send);
                co_return;
            }
        }
    } catch (const std::exception& e) {
        spdlog::debug("slack sim: connection ended: {}", e.what());
    }
}

asio::awaitable<void> listen(slack_simulator::impl& sim) {
    for (;;) {
        boost::system::error_code ec;
        auto socket = co_await sim.acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
        if (ec) {
            co_return;
        }
        asio::co_spawn(sim.ioc_, serve(sim, std::move(socket)), asio::detached);
    }
}

}  // namespace

void slack_simulator::impl::start_network() {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, listen(*this), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

void slack_simulator::impl::stop_network() {
    if (thread_.joinable()) {
        asio::post(ioc_, [this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
            std::map<connection_id, std::shared_ptr<ws_session_base>> sessions;
            {
                std::lock_guard lock(mutex_);
                sessions = sessions_;
            }
            for (auto& [id, session] : sessions) {
                session->drop();
            }
            ioc_.stop();
        });
        thread_.join();
    }
    std::lock_guard lock(mutex_);
    sessions_.clear();
}

}  // namespace opsbot::sim
