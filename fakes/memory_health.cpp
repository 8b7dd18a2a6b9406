// In-memory /health. See memory_health.hpp.
#include "fakes/memory_health.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::fakes {

result<adapters::health_report> memory_health::check(const std::string& url, std::chrono::milliseconds) {
    if (log_ != nullptr) {
        log_->add("health " + url);
    }
    boost::json::object checks;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [k, v] : checks_) {
            checks[k] = v;
        }
    }
    const bool all_ok = std::all_of(checks.begin(), checks.end(), [](const auto& kv) { return kv.value() == "ok"; });
    boost::json::object body{{"status", all_ok ? "ok" : "degraded"},
                             {"timestamp", "sandbox"},
                             {"checks", std::move(checks)}};
    auto report = adapters::judge_health_answer(all_ok ? 200 : 503, boost::json::serialize(body));
    spdlog::debug("[sandbox] health of {}: {}", url, report.ok ? "ok" : report.reason);
    return report;
}

void memory_health::set_check(const std::string& name, const std::string& value) {
    std::lock_guard lock(mutex_);
    checks_[name] = value;
}

}  // namespace opsbot::fakes
