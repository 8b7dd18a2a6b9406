// One Socket Mode WebSocket: reader, serialized writer (Beast allows one outstanding write) and heartbeat
// (docs/slack.md §1.6, §8, §9.2-9.3).
#include "bot/slack/socket_mode_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::bot::detail {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Waits on a timer used as a signal: returns when it expires or is cancelled, never throws.
asio::awaitable<void> wait_signal(asio::steady_timer& timer) {
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
}

}  // namespace

connection::connection(uint64_t id, asio::any_io_executor executor, std::unique_ptr<ws_link> link,
                       const socket_mode_options& options, socket_mode_stats& stats, connection_events events)
    : id_(id),
      executor_(executor),
      link_(std::move(link)),
      options_(options),
      stats_(stats),
      events_(std::move(events)),
      write_signal_(executor),
      hello_signal_(executor),
      watchdog_timer_(executor),
      close_deadline_(executor) {}

asio::awaitable<void> connection::open(const ws_target& target) {
    opened_at_ = steady::now();
    co_await link_->connect(target, options_.hello_timeout);
    last_received_ = steady::now();
    last_ping_ = steady::now();
}

void connection::start() {
    link_->on_control([self = weak_from_this()](bool is_pong, std::string_view payload) {
        if (auto conn = self.lock()) {
            conn->on_control(is_pong, payload);
        }
    });
    auto log_escape = [id = id_](const char* what) {
        return [id, what](std::exception_ptr e) {
            if (!e) {
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("socket mode: connection {} {} ended by an exception: {}", id, what, ex.what());
            }
        };
    };
    auto self = shared_from_this();
    asio::co_spawn(executor_, [self]() { return self->read_loop(); }, log_escape("reader"));
    asio::co_spawn(executor_, [self]() { return self->write_loop(); }, log_escape("writer"));
    asio::co_spawn(executor_, [self]() { return self->watchdog(); }, log_escape("watchdog"));
}

asio::awaitable<bool> connection::wait_hello(milliseconds timeout) {
    if (!hello_received_ && !finished_) {
        hello_signal_.expires_after(timeout);
        co_await wait_signal(hello_signal_);
    }
    co_return hello_received_ && !finished_;
}

void connection::send_text(text_frame text, std::function<void(bool)> done) {
    enqueue(outgoing{outgoing::kind::text, {}, std::move(text), std::move(done)});
}

void connection::close(uint16_t code) {
    if (closing_ || finished_) {
        return;
    }
    closing_ = true;
    enqueue(outgoing{outgoing::kind::close, std::to_string(code), {}, {}});
    // §8 (NODE #2709): a close handshake with a dead peer must not hang; the socket is destroyed in time.
    close_deadline_.expires_after(options_.close_timeout);
    close_deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec && !self->finished_) {
            spdlog::warn("socket mode: connection {} close handshake timed out; dropping the socket", self->id_);
            self->link_->destroy();
        }
    });
}

void connection::fail(const std::string& why) {
    if (finished_) {
        return;
    }
    if (fail_reason_.empty()) {
        fail_reason_ = why;
    }
    spdlog::warn("socket mode: connection {} dropped: {}", id_, why);
    link_->destroy();
}

void connection::enqueue(outgoing item) {
    if (finished_) {
        if (item.done) {
            item.done(false);
        }
        return;
    }
    queue_.push_back(std::move(item));
    write_signal_.cancel();
}

asio::awaitable<void> connection::read_loop() {
    std::string why;
    try {
        for (;;) {
            std::string text = co_await link_->read();
            last_received_ = steady::now();
            handle_frame(text);
        }
    } catch (const boost::system::system_error& e) {
        if (closing_) {
            why = "closed by us";
        } else if (e.code() == boost::beast::websocket::error::closed) {
            why = "closed by Slack";
        } else {
            why = e.code().message();
        }
    } catch (const std::exception& e) {
        why = e.what();
    }
    finish(fail_reason_.empty() ? why : fail_reason_);
}

void connection::handle_frame(const std::string& text) {
    auto frame = parse_socket_mode_frame(text);
    if (auto* hello = std::get_if<hello_frame>(&frame)) {
        hello_received_ = true;
        hello_signal_.cancel();
        // §8 (PY #1940): more links than we hold means ghosts or another process using the token.
        spdlog::info("socket mode: connection {} ready (hello, num_connections={}, app {})", id_,
                     hello->num_connections, hello->app_id);
        if (events_.on_hello) {
            events_.on_hello(id_, *hello);
        }
    } else if (auto* disconnect = std::get_if<disconnect_frame>(&frame)) {
        spdlog::info("socket mode: connection {} got disconnect ({})", id_, disconnect->reason);
        if (events_.on_disconnect) {
            events_.on_disconnect(id_, disconnect->reason);
        }
    } else if (auto* env = std::get_if<envelope>(&frame)) {
        if (events_.on_envelope) {
            events_.on_envelope(shared_from_this(), std::move(*env));
        }
    } else {
        ++stats_.malformed_frames;
        spdlog::warn("socket mode: connection {} skipped a malformed frame: {}",
                     id_, std::get<malformed_frame>(frame).why);
    }
}

void connection::on_control(bool is_pong, std::string_view payload) {
    last_received_ = steady::now();
    if (!is_pong) {
        return;
    }
    // §1.6: only a pong echoing one of our ping payloads proves the link is alive.
    auto it = std::find_if(pings_in_flight_.begin(), pings_in_flight_.end(),
                           [payload](const auto& p) { return p.first == payload; });
    if (it != pings_in_flight_.end()) {
        pings_in_flight_.erase(pings_in_flight_.begin(), std::next(it));
    }
}

asio::awaitable<void> connection::write_loop() {
    auto self = shared_from_this();
    bool was_idle = true;  // an ack that finds the writer idle goes out at once: nothing is known to follow it
    while (!finished_) {
        if (queue_.empty()) {
            write_signal_.expires_at(steady::time_point::max());
            co_await wait_signal(write_signal_);
            was_idle = true;
            continue;
        }
        if (!was_idle) {
            co_await gather_burst();
        }
        was_idle = false;
        outgoing item = std::move(queue_.front());
        queue_.pop_front();
        bool ok = true;
        try {
            switch (item.what) {
                case outgoing::kind::text:
                    co_await link_->write_text(item.text, !queue_.empty());
                    break;
                case outgoing::kind::ping:
                    co_await link_->ping(item.data);
                    break;
                case outgoing::kind::close:
                    co_await link_->close(static_cast<uint16_t>(std::stoi(item.data)));
                    break;
            }
        } catch (const std::exception& e) {
            ok = false;
            if (!finished_) {
                fail(std::string("write failed: ") + e.what());
            }
        }
        if (item.done) {
            item.done(ok);
        }
        if (!ok || item.what == outgoing::kind::close) {
            break;
        }
    }
    // Whatever is still queued will never be written: tell its owners.
    auto rest = std::move(queue_);
    queue_.clear();
    for (auto& item : rest) {
        if (item.done) {
            item.done(false);
        }
    }
}

asio::awaitable<void> connection::gather_burst() {
    // Envelopes that arrived together are read one per turn or two of the I/O loop. Writing each ack as it comes
    // pushes every one out in a TCP segment of its own, and on loopback the kernel's work for each push (delivery to
    // the peer, waking it) costs more than the bot's for the envelope. Yielding while the reader keeps adding lets a
    // burst's acks go out corked together (ws_link::write_text); an envelope alone costs a few turns. A cap keeps a
    // steady stream from holding acks back.
    constexpr std::size_t most_gathered = 32;
    constexpr int quiet_turns = 2;  // a frame can take the reader two turns: one to receive, one to parse
    std::size_t seen = queue_.size();
    for (int quiet = 0; !finished_ && quiet < quiet_turns && queue_.size() < most_gathered;) {
        co_await asio::post(executor_, use_awaitable);
        quiet = queue_.size() == seen ? quiet + 1 : 0;
        seen = queue_.size();
    }
}

asio::awaitable<void> connection::watchdog() {
    auto self = shared_from_this();
    auto tick = std::min({options_.ping_interval, options_.pong_timeout / 2, options_.server_silence / 2,
                          options_.hello_timeout / 2, milliseconds(1000)});
    tick = std::max(tick, milliseconds(5));
    while (!finished_) {
        watchdog_timer_.expires_after(tick);
        co_await wait_signal(watchdog_timer_);
        if (finished_) {
            break;
        }
        auto now = steady::now();
        if (!hello_received_ && now - opened_at_ > options_.hello_timeout) {
            fail("no hello within the hello timeout");
        } else if (now - last_received_ > options_.server_silence) {
            fail("nothing received from Slack within server_silence");
        } else if (!pings_in_flight_.empty() && now - pings_in_flight_.front().second > options_.pong_timeout) {
            fail("no matching pong within pong_timeout");
        } else if (!closing_ && now - last_ping_ >= options_.ping_interval) {
            // §1.6: a unique payload per ping, so a late pong cannot vouch for a newer ping.
            last_ping_ = now;
            auto payload = fmt::format("opsbot-{}-{}", id_, ++ping_seq_);
            pings_in_flight_.emplace_back(payload, now);
            enqueue(outgoing{outgoing::kind::ping, std::move(payload), {}, {}});
        }
    }
}

void connection::finish(const std::string& why) {
    if (finished_) {
        return;
    }
    finished_ = true;
    link_->destroy();
    write_signal_.cancel();
    hello_signal_.cancel();
    watchdog_timer_.cancel();
    close_deadline_.cancel();
    spdlog::info("socket mode: connection {} closed ({})", id_, why);
    if (events_.on_closed) {
        events_.on_closed(id_, why);
    }
}

}  // namespace opsbot::bot::detail
