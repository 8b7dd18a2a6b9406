// The Socket Mode client: the single owner of "which connection is current" and of reconnecting
// (docs/slack.md §1, §8, §9). Connections (socket_mode_connection.cpp) report to it on the I/O thread.
#include "bot/slack/socket_mode_client.hpp"

#include "bot/slack/envelope_dedupe.hpp"
#include "bot/slack/socket_mode_connection.hpp"
#include "metrics/opsbot_metrics.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>

namespace opsbot::bot {

namespace asio = boost::asio;
using asio::use_awaitable;
using std::chrono::milliseconds;

class socket_mode_client::impl {
public:
    impl(socket_mode_options options, socket_mode_hooks hooks)
        : options_(std::move(options)),
          hooks_(std::move(hooks)),
          dedupe_(options_.dedupe_capacity),
          rng_(std::random_device{}()) {}

    ~impl() { blocking_.join(); }

    socket_mode_exit run() {
        if (!stop_requested_) {
            asio::co_spawn(ioc_, supervise(), [](std::exception_ptr e) {
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                        spdlog::critical("socket mode: supervisor ended by an exception: {}", ex.what());
                    }
                }
            });
            ioc_.run();
        }
        std::lock_guard lock(mutex_);
        exited_ = true;
        ready_cv_.notify_all();
        return exit_;
    }

    void stop() {
        stop_requested_ = true;
        asio::post(ioc_, [this] { begin_stop(); });
    }

    bool wait_ready(milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return ready_cv_.wait_for(lock, timeout, [this] { return ready_ || exited_; }) && ready_;
    }

    const socket_mode_stats& stats() const { return stats_; }

    bool link_up() const { return link_up_.load(); }

    std::string fatal_reason() const {
        std::lock_guard lock(mutex_);
        return fatal_reason_;
    }

private:
    asio::awaitable<void> wait(asio::steady_timer& timer) {
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }

    void wake() { wake_timer_.cancel(); }

    void begin_stop() {
        if (stopping_) {
            return;
        }
        spdlog::info("socket mode: stopping");
        stopping_ = true;
        backoff_timer_.cancel();
        open_timer_.cancel();
        if (connecting_ && connecting_->id() != current_) {
            connecting_->fail("stopping");
        }
        wake();
    }

    void fatal(socket_mode_exit code, std::string reason) {
        spdlog::critical("socket mode: {}", reason);
        {
            std::lock_guard lock(mutex_);
            if (exit_ == socket_mode_exit::stopped) {
                exit_ = code;
                fatal_reason_ = std::move(reason);
            }
        }
        begin_stop();
    }

    asio::awaitable<void> supervise() {
        try {
            while (!stopping_) {
                if (current_ == 0 || refresh_wanted_) {
                    co_await establish();
                    continue;
                }
                wake_timer_.expires_at(asio::steady_timer::time_point::max());
                co_await wait(wake_timer_);
            }
        } catch (const std::exception& e) {
            spdlog::critical("socket mode: supervisor failed: {}", e.what());
        }
        co_await shutdown();
    }

    /// Full-jitter exponential backoff (§9.5): uniform in [0, min(max, initial * 2^attempt)].
    milliseconds backoff_delay() {
        auto cap = options_.backoff_initial;
        for (int i = 0; i < attempt_ && cap < options_.backoff_max; ++i) {
            cap *= 2;
        }
        cap = std::min(cap, options_.backoff_max);
        ++attempt_;
        std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(cap.count(), 0));
        return milliseconds(pick(rng_));
    }

    /// apps.connections.open runs on the blocking pool; the I/O thread keeps acking meanwhile.
    asio::awaitable<result<std::string>> open_url() {
        auto slot = std::make_shared<std::pair<std::mutex, std::optional<result<std::string>>>>();
        open_timer_.expires_at(asio::steady_timer::time_point::max());
        asio::post(blocking_, [this, slot] {
            result<std::string> url = fail(error_kind::internal, "open_connection hook missing");
            try {
                if (hooks_.open_connection) {
                    url = hooks_.open_connection();
                }
            } catch (const std::exception& e) {
                url = fail(error_kind::internal, std::string("open_connection threw: ") + e.what());
            }
            {
                std::lock_guard lock(slot->first);
                slot->second = std::move(url);
            }
            asio::post(ioc_, [this] { open_timer_.cancel(); });
        });
        co_await wait(open_timer_);
        std::lock_guard lock(slot->first);
        if (slot->second) {
            co_return std::move(*slot->second);
        }
        co_return fail(error_kind::unavailable, "stopping");
    }

    /// Opens a connection and waits for its hello; on success it becomes current and the previous one is
    /// closed with 1000 only now (§1.7: open-before-close, no gap). Retries with backoff until done or fatal.
    asio::awaitable<void> establish() {
        bool first_try = refresh_wanted_ || (stats_.connections_opened == 0 && attempt_ == 0);
        std::optional<milliseconds> floor;
        while (!stopping_) {
            if (!first_try) {
                auto delay = backoff_delay();
                if (floor && delay < *floor) {
                    delay = *floor;  // §1.1: Tier 1, honour Retry-After
                }
                floor.reset();
                spdlog::info("socket mode: reconnecting in {} ms", delay.count());
                backoff_timer_.expires_after(delay);
                co_await wait(backoff_timer_);
                if (stopping_) {
                    break;
                }
            }
            first_try = false;
            auto url = co_await open_url();
            if (stopping_) {
                break;
            }
            if (!url) {
                if (url.error().kind == error_kind::auth) {
                    fatal(socket_mode_exit::auth_failed,
                          "Slack refused the app-level token (" + url.error().message +
                              "): use an xapp- token with the connections:write scope (Basic Information -> "
                              "App-Level Tokens)");
                    break;
                }
                if (url.error().kind == error_kind::rate_limited && url.error().retry_after) {
                    floor = *url.error().retry_after;
                }
                spdlog::warn("socket mode: apps.connections.open failed: {}", url.error().message);
                continue;
            }
            auto target = detail::parse_ws_url(*url);
            if (!target) {
                spdlog::error("socket mode: {}", target.error().message);
                continue;
            }
            if (co_await connect(*target)) {
                break;
            }
        }
        refresh_wanted_ = false;
    }

    /// Made on the first wss:// connection: OpenSSL's initialisation and the system CA store cost start-up time
    /// and memory that loopback use (tests, the demo, the simulator) should not pay. Only used on the io thread.
    asio::ssl::context& tls_context() {
        if (!ssl_ctx_) {
            ssl_ctx_.emplace(asio::ssl::context::tls_client);
            if (auto ok = detail::configure_tls_context(*ssl_ctx_, options_.verify_tls, options_.ca_file); !ok) {
                spdlog::error("socket mode: {}", ok.error().message);
            }
        }
        return *ssl_ctx_;
    }

    /// One attempt: handshake, hello, swap. True when the new connection is current.
    asio::awaitable<bool> connect(const detail::ws_target& target) {
        auto id = ++next_id_;
        auto conn = std::make_shared<detail::connection>(
            id, ioc_.get_executor(), detail::make_ws_link(ioc_.get_executor(), target.tls ? &tls_context() : nullptr),
            options_, stats_, events());
        connecting_ = conn;
        try {
            co_await conn->open(target);
        } catch (const std::exception& e) {
            spdlog::warn("socket mode: connecting to {} failed: {}", target.host, e.what());
            connecting_.reset();
            co_return false;
        }
        ++stats_.connections_opened;
        metrics::opsbot().socket_connections.with().inc();
        conns_[id] = conn;
        conn->start();
        bool ready = co_await conn->wait_hello(options_.hello_timeout);
        connecting_.reset();
        if (!ready || stopping_) {
            conn->fail(stopping_ ? "stopping" : "no hello within the hello timeout");
            co_return stopping_;
        }
        auto previous = current_;
        current_ = id;
        attempt_ = 0;
        if (ever_ready_) {
            ++stats_.reconnects;  // a replacement link: after a drop, missed pongs or a refresh
            metrics::opsbot().socket_reconnects.with({std::string(reconnect_reason_)}).inc();
        }
        link_up_ = true;
        ever_ready_ = true;
        if (auto it = conns_.find(previous); previous != 0 && it != conns_.end()) {
            it->second->close(1000);
        }
        refresh_wanted_ = refresh_after_establish_;
        refresh_after_establish_ = false;
        {
            std::lock_guard lock(mutex_);
            ready_ = true;
        }
        ready_cv_.notify_all();
        co_return true;
    }

    detail::connection_events events() {
        detail::connection_events ev;
        ev.on_hello = [](uint64_t, const hello_frame&) {};
        ev.on_disconnect = [this](uint64_t id, const std::string& reason) { on_disconnect(id, reason); };
        ev.on_envelope = [this](const std::shared_ptr<detail::connection>& conn, envelope env) {
            on_envelope(conn, std::move(env));
        };
        ev.on_closed = [this](uint64_t id, const std::string& why) {
            conns_.erase(id);
            if (id == current_) {
                current_ = 0;  // the supervisor reconnects; a stale id (an old link) changes nothing
                link_up_ = false;
                reconnect_reason_ = lost_link_reason(why);
                wake();
            }
        };
        return ev;
    }

    // §1.3 / §8: each disconnect reason maps to one action; none is dispatched to the handlers.
    void on_disconnect(uint64_t id, const std::string& reason) {
        if (reason == "link_disabled") {
            fatal(socket_mode_exit::link_disabled,
                  "Slack disabled Socket Mode for this app (link_disabled): turn it on again in the app settings "
                  "(api.slack.com/apps -> your app -> Socket Mode -> Enable Socket Mode, or "
                  "settings.socket_mode_enabled: true in the manifest), then restart opsbot");
            return;
        }
        if (reason == "too_many_websockets") {
            // Keep at most one link and slow down: too many sockets mean reconnects raced or a ghost exists.
            spdlog::warn("socket mode: too_many_websockets; closing extra links and backing off");
            for (auto& [other, conn] : conns_) {
                if (other != current_) {
                    conn->close(1000);
                }
            }
            ++attempt_;
            return;
        }
        if (connecting_ && id == connecting_->id()) {
            refresh_after_establish_ = true;
        } else if (id == current_) {
            refresh_wanted_ = true;  // warning, refresh_requested, or a reason we do not know yet
            reconnect_reason_ = reason == "warning"             ? "warning"
                                : reason == "refresh_requested" ? "refresh_requested"
                                                                : "disconnect_other";
            wake();
        } else if (auto it = conns_.find(id); it != conns_.end()) {
            it->second->close(1000);
        }
    }

    // §1.4, §1.5: ack at once (duplicates too), then hand new envelopes over once the ack is written.
    void on_envelope(const std::shared_ptr<detail::connection>& conn, envelope env) {
        const auto received_at = std::chrono::steady_clock::now();
        const auto& meters = metrics::envelope_meters_for(env.type);
        meters.received.inc();
        if (stopping_) {
            spdlog::warn("socket mode: stopping; not taking envelope {} ({})", env.envelope_id, env.type);
            return;
        }
        auto keys = dedupe_keys(env);
        bool fresh = dedupe_.insert_if_new(keys);
        shared_json payload;
        if (fresh && hooks_.ack_payload) {
            try {
                payload = hooks_.ack_payload(env);
            } catch (const std::exception& e) {
                spdlog::error("socket mode: ack_payload failed for {}: {}", env.envelope_id, e.what());
            }
        }
        auto ack = make_ack(env.envelope_id, std::move(payload));
        if (!fresh) {
            ++stats_.duplicates_ignored;
            spdlog::info("socket mode: duplicate envelope {} ({}, retry {}) acked and ignored", env.envelope_id,
                         env.type, env.retry_attempt);
            conn->send_text(std::move(ack), [this, &meters, received_at](bool ok) {
                if (ok) {
                    ++stats_.envelopes_acked;
                    acked(meters, received_at);
                }
            });
            return;
        }
        conn->send_text(std::move(ack), [this, env = std::move(env), keys = std::move(keys), &meters,
                                         received_at](bool ok) mutable {
            if (!ok) {
                spdlog::warn("socket mode: ack of {} not written; a redelivery will be handled", env.envelope_id);
                dedupe_.erase(keys);
                return;
            }
            ++stats_.envelopes_acked;
            acked(meters, received_at);
            if (env.type != "slash_commands" && env.type != "interactive" && env.type != "events_api") {
                spdlog::info("socket mode: acked envelope {} of unknown type '{}'", env.envelope_id, env.type);
                return;
            }
            if (hooks_.on_envelope) {
                try {
                    hooks_.on_envelope(std::move(env));
                } catch (const std::exception& e) {
                    spdlog::error("socket mode: on_envelope threw: {}", e.what());
                }
            }
        });
    }

    static void acked(const metrics::envelope_meters& meters, std::chrono::steady_clock::time_point received_at) {
        meters.acked.inc();
        metrics::opsbot().ack_latency.with().observe(metrics::seconds_since(received_at));
    }

    /// Why a current link ended, as a metric label (connection.cpp's reasons, in a fixed vocabulary).
    static std::string_view lost_link_reason(const std::string& why) {
        if (why.find("pong") != std::string::npos) {
            return "pong_timeout";
        }
        if (why.find("server_silence") != std::string::npos) {
            return "server_silence";
        }
        return "link_lost";
    }

    /// Close every link with 1000 after its pending acks; each destroys its socket after close_timeout at most.
    asio::awaitable<void> shutdown() {
        for (auto& [id, conn] : conns_) {
            conn->close(1000);
        }
        auto deadline = std::chrono::steady_clock::now() + options_.close_timeout + milliseconds(500);
        while (!conns_.empty() && std::chrono::steady_clock::now() < deadline) {
            wake_timer_.expires_after(milliseconds(10));
            co_await wait(wake_timer_);
        }
        if (!conns_.empty()) {
            spdlog::warn("socket mode: {} link(s) did not close in time", conns_.size());
        }
        current_ = 0;
        link_up_ = false;
        spdlog::info("socket mode: stopped");
    }

    socket_mode_options options_;
    socket_mode_hooks hooks_;
    socket_mode_stats stats_;
    asio::io_context ioc_;
    std::optional<asio::ssl::context> ssl_ctx_;  ///< see tls_context()
    asio::steady_timer wake_timer_{ioc_};
    asio::steady_timer backoff_timer_{ioc_};
    asio::steady_timer open_timer_{ioc_};
    envelope_dedupe dedupe_;
    std::mt19937_64 rng_;

    std::atomic<bool> stop_requested_{false};
    bool stopping_ = false;
    std::map<uint64_t, std::shared_ptr<detail::connection>> conns_;
    std::shared_ptr<detail::connection> connecting_;
    uint64_t next_id_ = 0;
    uint64_t current_ = 0;
    int attempt_ = 0;
    bool refresh_wanted_ = false;
    bool ever_ready_ = false;
    bool refresh_after_establish_ = false;
    std::string_view reconnect_reason_ = "link_lost";  ///< why the next replacement link is made (a metric label)
    std::atomic<bool> link_up_{false};                 ///< a current link that said hello (/readyz)

    mutable std::mutex mutex_;
    std::condition_variable ready_cv_;
    bool ready_ = false;
    bool exited_ = false;
    socket_mode_exit exit_ = socket_mode_exit::stopped;
    std::string fatal_reason_;

    asio::thread_pool blocking_{1};  // last: joined (and destroyed) before the io_context it posts to
};

socket_mode_client::socket_mode_client(socket_mode_options options, socket_mode_hooks hooks)
    : impl_(std::make_unique<impl>(std::move(options), std::move(hooks))) {}

socket_mode_client::~socket_mode_client() = default;

socket_mode_exit socket_mode_client::run() { return impl_->run(); }

void socket_mode_client::stop() { impl_->stop(); }

bool socket_mode_client::wait_ready(milliseconds timeout) { return impl_->wait_ready(timeout); }

const socket_mode_stats& socket_mode_client::stats() const { return impl_->stats(); }

bool socket_mode_client::link_up() const { return impl_->link_up(); }

std::string socket_mode_client::fatal_reason() const { return impl_->fatal_reason(); }

}  // namespace opsbot::bot
