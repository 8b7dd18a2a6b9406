#include "adapters/http_client.hpp"

#include "adapters/http_connection.hpp"
#include "adapters/http_retry.hpp"
#include "adapters/http_url.hpp"
#include "metrics/opsbot_metrics.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <thread>

namespace opsbot::adapters {

namespace {

using std::chrono::milliseconds;

constexpr std::size_t max_idle_per_host = 8;

/// One attempt's outcome: a response, or an error and what is known about where it failed.
struct attempt_result {
    result<http_response> value;
    bool sent = false;       ///< the request was written (at least in part): the platform may have acted on it
    bool retryable = false;  ///< for a failure before sending: another attempt could help
};

/// The error of a request that may have reached the platform and must not be repeated blindly.
error unknown_outcome(const std::string& what, std::string_view happened, int status) {
    return error{error_kind::unknown_outcome,
                 fmt::format("{}: {} after the request was sent: the platform may have acted on it (not repeated: "
                             "the request is not idempotent)",
                             what, happened),
                 status, std::nullopt};
}

class pooled_http_client final : public http_client {
public:
    explicit pooled_http_client(http_options options) : options_(std::move(options)) {
        if (!options_.sleep) {
            options_.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
        }
        options_.max_attempts = std::max(options_.max_attempts, 1);
    }

    result<http_response> send(const http_request& request) override;

private:
    result<http_response> exchange(const http_request& request);
    void count(const http_request& request, const result<http_response>& outcome,
               std::chrono::steady_clock::time_point started) const;
    attempt_result attempt(const http_request& request, const parsed_url& url, const std::string& what);
    result<std::unique_ptr<http_connection>> open(const parsed_url& url, const std::string& what, bool& retryable);
    std::unique_ptr<http_connection> take_idle(const std::string& key);
    void put_idle(const std::string& key, std::unique_ptr<http_connection> connection);

    /// The TLS context, made on the first https request: loading the system CA store costs ~15 ms and a few MB,
    /// which start-up and loopback-only use (tests, the demo, the simulator) should not pay.
    const std::shared_ptr<tls_context>& tls();

    http_options options_;
    std::once_flag tls_once_;
    std::shared_ptr<tls_context> tls_;
    std::optional<error> tls_error_;
    std::mutex mutex_;
    std::map<std::string, std::vector<std::unique_ptr<http_connection>>> idle_;
};

const std::shared_ptr<tls_context>& pooled_http_client::tls() {
    std::call_once(tls_once_, [this] {
        auto made = make_tls_context(options_);
        if (made) {
            tls_ = std::move(*made);
        } else {
            tls_error_ = made.error();
            spdlog::error("http client: {}", tls_error_->message);
        }
    });
    return tls_;
}

std::unique_ptr<http_connection> pooled_http_client::take_idle(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) {
        return nullptr;
    }
    auto connection = std::move(it->second.back());
    it->second.pop_back();
    return connection;
}

void pooled_http_client::put_idle(const std::string& key, std::unique_ptr<http_connection> connection) {
    std::lock_guard lock(mutex_);
    auto& list = idle_[key];
    if (list.size() < max_idle_per_host) {
        list.push_back(std::move(connection));
    }
}

result<std::unique_ptr<http_connection>> pooled_http_client::open(const parsed_url& url, const std::string& what,
                                                                 bool& retryable) {
    auto opened = http_connection::open(url, url.tls ? tls() : nullptr, options_.connect_timeout, what);
    if (!opened) {
        // Nothing was sent yet: safe to try again, unless the peer's certificate was refused.
        retryable = !opened.error().permanent;
        return std::unexpected(opened.error().err);
    }
    return std::move(*opened);
}

attempt_result pooled_http_client::attempt(const http_request& request, const parsed_url& url,
                                           const std::string& what) {
    const bool idempotent = request.is_idempotent();
    // A write goes on a fresh connection: on an idle one the peer may have closed, a failure right after the
    // write could not be told apart from "processed, then dropped", and it could not be repeated.
    auto connection = idempotent ? take_idle(url.pool_key()) : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
        bool retryable = false;
        auto opened = open(url, what, retryable);
        if (!opened) {
            return {std::unexpected(opened.error()), false, retryable};
        }
        connection = std::move(*opened);
    }
    const milliseconds timeout = request.timeout.value_or(options_.request_timeout);
    auto response = connection->exchange(request, url, options_.user_agent, timeout, what);
    if (!response && reused && response.error().stale) {
        // The peer closed the idle keep-alive connection: repeat once on a fresh one (RFC 9112 §9.3.1).
        spdlog::debug("http client: {}: idle connection was closed by the peer, reconnecting", what);
        bool retryable = false;
        auto opened = open(url, what, retryable);
        if (!opened) {
            return {std::unexpected(opened.error()), false, retryable};
        }
        connection = std::move(*opened);
        response = connection->exchange(request, url, options_.user_agent, timeout, what);
    }
    if (!response) {
        return {std::unexpected(response.error().err), true, false};
    }
    if (connection->reusable()) {
        put_idle(url.pool_key(), std::move(connection));
    }
    return {std::move(*response), true, false};
}

result<http_response> pooled_http_client::send(const http_request& request) {
    const auto started = std::chrono::steady_clock::now();
    auto outcome = exchange(request);
    count(request, outcome, started);
    return outcome;
}

// One call (its retries included) in the platform metrics; every label from a fixed vocabulary.
void pooled_http_client::count(const http_request& request, const result<http_response>& outcome,
                               std::chrono::steady_clock::time_point started) const {
    static const std::array<std::string_view, 7> methods{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    const auto known = std::ranges::find(methods, request.method);
    const std::string operation(known != methods.end() ? *known : "other");
    const auto at = options_.platform_by_authority.find(url_authority(request.url));
    const std::string& platform = at != options_.platform_by_authority.end() ? at->second : options_.default_platform;
    std::string outcome_label = outcome ? fmt::format("{}xx", std::clamp(outcome->status / 100, 1, 5))
                                        : std::string(to_string(outcome.error().kind));
    const auto& m = metrics::opsbot();
    m.platform_calls.with({platform, operation, std::move(outcome_label)}).inc();
    m.platform_call_duration.with({platform, operation}).observe(metrics::seconds_since(started));
}

result<http_response> pooled_http_client::exchange(const http_request& request) {
    auto url = parse_request_url(request.url);
    if (!url) {
        return fail(url.error().kind, fmt::format("{} request: {}", request.method, url.error().message));
    }
    const std::string what = fmt::format("{} {}", request.method, url->display());
    if (url->tls && !tls()) {
        return fail(tls_error_->kind, fmt::format("{}: {}", what, tls_error_->message));
    }

    const bool idempotent = request.is_idempotent();
    milliseconds busy{0};    // time spent in attempts
    milliseconds waited{0};  // time spent (or injected as spent) between attempts
    error last;
    int attempts = 0;
    while (true) {
        ++attempts;
        const auto started = std::chrono::steady_clock::now();
        auto outcome = attempt(request, *url, what);
        busy += std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);

        std::optional<milliseconds> retry_after;
        if (outcome.value) {
            const int status = outcome.value->status;
            if ((status != 429 && status < 500) || request.one_attempt) {
                return std::move(*outcome.value);
            }
            if (auto header = outcome.value->header("Retry-After")) {
                retry_after = parse_retry_after(*header, std::chrono::system_clock::now());
            }
            // A 429 is a refusal sent instead of processing the request: waiting and sending it again cannot
            // make the platform act twice, whatever the method. A 5xx may come after the platform acted.
            if (!idempotent && status != 429) {
                return std::unexpected(unknown_outcome(what, fmt::format("HTTP {}", status), status));
            }
            last = error{status == 429 ? error_kind::rate_limited : error_kind::http_status,
                         fmt::format("{}: HTTP {}", what, status), status, retry_after};
        } else {
            last = std::move(outcome.value.error());
            if (outcome.sent && !idempotent) {
                // The answer was lost (timeout, dropped connection): the platform may still have acted.
                const auto prefix = what + ": ";
                std::string_view happened = last.message;
                if (happened.starts_with(prefix)) {
                    happened.remove_prefix(prefix.size());
                }
                return std::unexpected(unknown_outcome(what, happened, 0));
            }
            if ((!outcome.sent && !outcome.retryable) || request.one_attempt) {
                return std::unexpected(std::move(last));
            }
        }
        if (attempts >= options_.max_attempts) {
            break;
        }
        const milliseconds wait = std::max(
            backoff_with_jitter(attempts, options_.initial_backoff, options_.max_backoff),
            retry_after.value_or(milliseconds{0}));
        if (busy + waited + wait > options_.max_total) {
            spdlog::warn("http client: {}: not retrying, a wait of {} ms would exceed the {} ms budget", what,
                         wait.count(), options_.max_total.count());
            break;
        }
        spdlog::info("http client: {} failed (attempt {}/{}): retrying in {} ms", what, attempts,
                     options_.max_attempts, wait.count());
        options_.sleep(wait);
        waited += wait;
    }
    last.message += fmt::format(" (gave up after {} attempt{})", attempts, attempts == 1 ? "" : "s");
    return std::unexpected(std::move(last));
}

}  // namespace

std::unique_ptr<http_client> make_http_client(http_options options) {
    return std::make_unique<pooled_http_client>(std::move(options));
}

}  // namespace opsbot::adapters
