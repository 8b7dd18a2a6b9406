// The /health check adapter (runbook §7).
#include "adapters/health.hpp"

#include "adapters/http_connection.hpp"
#include "adapters/http_url.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr const char* user_agent = "opsbot/0.1";

std::string scalar_text(const json::value& v) {
    if (v.is_string()) {
        return std::string(v.get_string());
    }
    if (v.is_null()) {
        return "null";
    }
    return json::serialize(v);
}

/// One GET on a connection of its own. A health check is one attempt (one that needs retries is itself the
/// finding), and a 5xx answer's body names the failing checks ({"status":"error","checks":{"redis":"error"}}): the
/// shared client retries 5xx and keeps no body of them, so it is not used here.
result<http_response> fetch_once(const std::string& url, const std::shared_ptr<tls_context>& tls,
                                 std::chrono::milliseconds connect_timeout, std::chrono::milliseconds timeout) {
    auto parsed = parse_request_url(url);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    const std::string what = "GET " + parsed->display();
    auto connection = http_connection::open(*parsed, parsed->tls ? tls : nullptr, connect_timeout, what);
    if (!connection) {
        return std::unexpected(connection.error().err);
    }
    http_request request;
    request.method = "GET";
    request.url = url;
    request.headers.push_back({"Accept", "application/json"});
    auto response = (*connection)->exchange(request, *parsed, user_agent, timeout, what);
    if (!response) {
        return std::unexpected(response.error().err);
    }
    return std::move(*response);
}

/// The TLS settings of the checks, made on the first https check (loading the CA store is not free).
class lazy_tls {
public:
    explicit lazy_tls(http_options options) : options_(std::move(options)) {}
    result<std::shared_ptr<tls_context>> get() {
        std::call_once(once_, [this] { made_ = make_tls_context(options_); });
        return made_;
    }
    const http_options& options() const { return options_; }

private:
    http_options options_;
    std::once_flag once_;
    result<std::shared_ptr<tls_context>> made_ = fail(error_kind::internal, "TLS context not made");
};

result<health_report> run_check(lazy_tls& tls, const std::string& url, std::chrono::milliseconds timeout) {
    const auto start = std::chrono::steady_clock::now();
    result<http_response> response = fail(error_kind::internal, "not sent");
    if (url.starts_with("https:")) {
        auto context = tls.get();
        if (!context) {
            return fail(context.error().kind, "health check of " + url + ": " + context.error().message);
        }
        response = fetch_once(url, *context, tls.options().connect_timeout, timeout);
    } else {
        response = fetch_once(url, nullptr, tls.options().connect_timeout, timeout);
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (!response) {
        auto e = response.error();
        e.message = "health check of " + url + ": " + e.message;
        spdlog::warn("{}", e.message);
        return std::unexpected(e);
    }
    auto report = judge_health_answer(response->status, response->body);
    report.elapsed = elapsed;
    if (report.ok && elapsed > timeout) {
        report.ok = false;
        report.reason = "answered in " + std::to_string(elapsed.count()) + " ms, over the " +
                        std::to_string(timeout.count()) + " ms limit";
    }
    if (!report.ok) {
        spdlog::info("health check of {}: not ok: {}", url, report.reason);
    }
    return report;
}

class direct_checker final : public health_checker {
public:
    explicit direct_checker(http_options options) : tls_(std::move(options)) {}
    result<health_report> check(const std::string& url, std::chrono::milliseconds timeout) override {
        return run_check(tls_, url, timeout);
    }

private:
    lazy_tls tls_;
};

}  // namespace

health_report judge_health_answer(int http_status, std::string_view body) {
    health_report report;
    report.http_status = http_status;
    boost::system::error_code ec;
    const auto parsed = json::parse(body, ec);
    const json::object* obj = (!ec && parsed.is_object()) ? &parsed.get_object() : nullptr;
    if (obj) {
        if (const auto* s = obj->if_contains("status")) {
            report.status = scalar_text(*s);
        }
        if (const auto* t = obj->if_contains("timestamp")) {
            report.timestamp = scalar_text(*t);
        }
        if (const auto* checks = obj->if_contains("checks"); checks && checks->is_object()) {
            for (const auto& [name, value] : checks->get_object()) {
                report.checks[std::string(name)] = scalar_text(value);
            }
        }
        report.db = report.checks.contains("db") ? report.checks["db"] : "";
        report.redis = report.checks.contains("redis") ? report.checks["redis"] : "";
    }
    if (http_status != 200) {
        // A 503 usually says which dependency is down: name those checks, not only the status.
        std::string failing;
        for (const auto& [name, value] : report.checks) {
            if (value != "ok") {
                failing += (failing.empty() ? "" : ", ") + name + ": " + value;
            }
        }
        report.reason = "HTTP " + std::to_string(http_status);
        if (!failing.empty()) {
            report.reason += " (" + failing + ")";
        } else if (!report.status.empty()) {
            report.reason += " (status: " + report.status + ")";
        }
        return report;
    }
    if (!obj) {
        report.reason = "the answer is not a JSON object";
        return report;
    }
    std::string failed;
    if (report.status != "ok") {
        failed = "status: " + (report.status.empty() ? std::string("missing") : report.status);
    }
    // The runbook expects db and redis checks; a missing one is a failure, extra ones must be ok too.
    for (const char* required : {"db", "redis"}) {
        if (!report.checks.contains(required)) {
            failed += (failed.empty() ? "" : ", ") + std::string(required) + ": missing";
        }
    }
    for (const auto& [name, value] : report.checks) {
        if (value != "ok") {
            failed += (failed.empty() ? "" : ", ") + name + ": " + value;
        }
    }
    report.ok = failed.empty();
    report.reason = failed;
    return report;
}

std::unique_ptr<health_checker> make_health_checker(http_client& /*shared: see fetch_once*/) {
    return std::make_unique<direct_checker>(http_options{});
}

std::unique_ptr<health_checker> make_health_checker(http_options base) {
    return std::make_unique<direct_checker>(std::move(base));
}

}  // namespace opsbot::adapters
