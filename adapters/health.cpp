// The /health check adapter (runbook §7).
#include "adapters/health.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

std::string scalar_text(const json::value& v) {
    if (v.is_string()) {
        return std::string(v.get_string());
    }
    if (v.is_null()) {
        return "null";
    }
    return json::serialize(v);
}

result<health_report> run_check(http_client& http, const std::string& url, std::chrono::milliseconds timeout) {
    http_request request;
    request.method = "GET";
    request.url = url;
    request.headers.push_back({"Accept", "application/json"});
    // One attempt (a check that needs retries is itself the finding), and a 5xx comes back with its body, which
    // names the failing checks ({"status":"error","checks":{"redis":"error"}}).
    request.one_attempt = true;
    request.timeout = timeout;
    const auto start = std::chrono::steady_clock::now();
    auto response = http.send(request);
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

class shared_client_checker final : public health_checker {
public:
    explicit shared_client_checker(http_client& http) : http_(http) {}
    result<health_report> check(const std::string& url, std::chrono::milliseconds timeout) override {
        return run_check(http_, url, timeout);
    }

private:
    http_client& http_;
};

/// A checker with a client of its own (for callers without the bot's shared client).
class own_client_checker final : public health_checker {
public:
    explicit own_client_checker(http_options base) : http_(make_http_client(std::move(base))) {}
    result<health_report> check(const std::string& url, std::chrono::milliseconds timeout) override {
        return run_check(*http_, url, timeout);
    }

private:
    std::unique_ptr<http_client> http_;
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

std::unique_ptr<health_checker> make_health_checker(http_client& shared) {
    return std::make_unique<shared_client_checker>(shared);
}

std::unique_ptr<health_checker> make_health_checker(http_options base) {
    return std::make_unique<own_client_checker>(std::move(base));
}

}  // namespace opsbot::adapters
