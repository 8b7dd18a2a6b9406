// The simulator's network side: one loopback listener serving HTTP (Web API, response_url) and the Socket Mode
// WebSocket upgrade on /link/ (docs/slack.md §1.2-§1.4).
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
/// Writes are gathered: what Beast writes is buffered and goes to the socket in one write as soon as the
/// handlers queued now have run, or — while the session has more frames queued (corked) — once those are in too.
/// A burst of envelopes then costs the simulator one system call per batch instead of one per frame, as a real
/// server's output buffering would, and leaves the CPU to the bot under test. Each frame's "sent" mark is taken
/// when its batch goes to the socket.
class pausable_stream {
public:
    using executor_type = beast::tcp_stream::executor_type;

    explicit pausable_stream(beast::tcp_stream&& stream) : next_(std::move(stream)), gate_(next_.get_executor()) {
        gate_.expires_at(asio::steady_timer::time_point::max());
    }
    pausable_stream(pausable_stream&&) = default;
    pausable_stream& operator=(pausable_stream&&) = delete;
    ~pausable_stream() {
        if (out_) {
            out_->alive = false;  // flushes still in flight must not touch this stream
        }
    }

    /// While corked, buffered bytes wait for more (up to a limit); uncorking sends them.
    void set_corked(bool corked) {
        out_->corked = corked;
        if (!corked) {
            schedule_flush();
        }
    }

    /// Called with the time the next bytes written (the next frame) reach the socket.
    void on_sent(std::function<void(std::chrono::system_clock::time_point)> mark) {
        out_->armed.push_back(std::move(mark));
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

    /// Reads are served from a 64 kB buffer filled by one read of the socket: Beast asks for at most 1.5 kB at
    /// a time, which would cost the simulator two system calls per ack of a burst.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (in_begin_ < in_end_) {
                    hand_over(std::move(handler), b, {});
                    return;
                }
                in_.resize(64 * 1024);
                next_.async_read_some(asio::buffer(in_),
                                      [this, h = std::move(handler), b](beast::error_code ec, std::size_t n) mutable {
                                          in_begin_ = 0;
                                          in_end_ = n;
                                          hand_over(std::move(h), b, ec);
                                      });
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(beast::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                beast::error_code ec = out_->failed;
                std::size_t n = 0;
                if (!ec) {
                    n = asio::buffer_size(b);
                    auto old = out_->pending.size();
                    out_->pending.resize(old + n);
                    asio::buffer_copy(asio::buffer(out_->pending.data() + old, n), b);
                    std::move(out_->armed.begin(), out_->armed.end(), std::back_inserter(out_->marks));
                    out_->armed.clear();
                    schedule_flush();
                }
                asio::post(next_.get_executor(), beast::bind_front_handler(std::move(handler), ec, n));
            },
            token, buffers);
    }

private:
    static constexpr std::size_t cork_limit = 64 * 1024;

    /// Completes a read with what the buffer holds; while paused the bytes wait at the gate.
    template <class Handler, class MutableBuffers>
    void hand_over(Handler handler, const MutableBuffers& b, beast::error_code ec) {
        std::size_t n = 0;
        if (!ec) {
            n = asio::buffer_copy(b, asio::buffer(in_.data() + in_begin_, in_end_ - in_begin_));
            in_begin_ += n;
        }
        if (!paused_) {
            asio::post(next_.get_executor(), beast::bind_front_handler(std::move(handler), ec, n));
            return;
        }
        gate_.async_wait([h = std::move(handler), ec, n](beast::error_code) mutable { std::move(h)(ec, n); });
    }

    struct output {
        std::string pending;    ///< written by Beast, not yet handed to the socket
        std::string in_flight;  ///< being written to the socket
        using mark = std::function<void(std::chrono::system_clock::time_point)>;
        std::vector<mark> armed;  ///< for the next bytes written
        std::vector<mark> marks;  ///< for the bytes pending
        bool flushing = false;  ///< a flush is posted or in flight
        bool corked = false;
        bool alive = true;
        beast::error_code failed;  ///< the socket write failed: later writes fail with it
    };

    void schedule_flush() {
        auto& out = *out_;
        if (out.flushing || out.pending.empty() || (out.corked && out.pending.size() < cork_limit)) {
            return;
        }
        out.flushing = true;
        // Posted: frames written by handlers already queued join this batch.
        asio::post(next_.get_executor(), [this, keep = out_] {
            if (keep->alive) {
                flush();
            }
        });
    }

    void flush() {
        auto& out = *out_;
        if (out.pending.empty() || out.failed) {
            out.flushing = false;
            return;
        }
        out.in_flight.swap(out.pending);
        out.pending.clear();
        auto now = std::chrono::system_clock::now();
        for (auto& mark : out.marks) {
            mark(now);
        }
        out.marks.clear();
        asio::async_write(next_, asio::buffer(out.in_flight), [this, keep = out_](beast::error_code ec, std::size_t) {
            if (!keep->alive) {
                return;
            }
            keep->in_flight.clear();
            keep->flushing = false;
            if (ec) {
                keep->failed = ec;
                return;
            }
            schedule_flush();
        });
    }

    beast::tcp_stream next_;
    asio::steady_timer gate_;
    bool paused_ = false;
    std::string in_;  ///< bytes read from the socket; [in_begin_, in_end_) not yet handed to Beast
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    std::shared_ptr<output> out_ = std::make_shared<output>();
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
            beast::flat_buffer buffer;  // reused: its capacity stays, so a burst's acks cost no allocation here
            for (;;) {
                co_await ws_.async_read(buffer, use_awaitable);
                sim_.on_ws_message(id_, beast::buffers_to_string(buffer.data()));
                buffer.consume(buffer.size());
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

    void send_text(std::string text, std::string envelope_id) override {
        enqueue(item{kind::text, std::move(text), 0, std::move(envelope_id)});
    }

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
        std::string envelope_id{};  ///< for text frames that carry an envelope
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
            // More frames waiting: let them join this one in a single write to the socket. A ping or a close goes
            // out at once (a close handshake must not wait behind a batch).
            ws_.next_layer().set_corked(it.what == kind::text && !queue_.empty());
            try {
                if (it.what == kind::text) {
                    if (!it.envelope_id.empty()) {
                        ws_.next_layer().on_sent([&sim = sim_, id = std::move(it.envelope_id)](sim_time at) {
                            sim.on_envelope_written(id, at);
                        });
                    }
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
                if (auto status = sim.take_upgrade_failure()) {
                    // A handshake Slack's edge refuses (slack_sim_failures.cpp): an HTTP answer, no WebSocket.
                    http_reply refused{*status, {{"Content-Type", "text/plain"}}, "upgrade refused\n"};
                    auto res = make_response(refused, request.version(), false);
                    co_await http::async_write(stream, res, use_awaitable);
                    stream.socket().shutdown(tcp::socket::shutdown_send);
                    co_return;
                }
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
                // The session batches its own writes (pausable_stream): Nagle would only add waits to that.
                beast::error_code nodelay_ec;
                stream.socket().set_option(tcp::no_delay(true), nodelay_ec);
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
