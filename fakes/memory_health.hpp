#pragma once
// An in-memory /health (no sockets), for `opsbot demo` and the unit tests: every URL answers the runbook's healthy
// shape until a check is set otherwise, and the verdict is the real adapter's (adapters::judge_health_answer).

#include "adapters/health.hpp"
#include "fakes/call_log.hpp"

#include <map>
#include <mutex>
#include <string>

namespace opsbot::fakes {

class memory_health final : public adapters::health_checker {
public:
    /// `log` may be null; each check is written to it as "health <url>".
    explicit memory_health(call_log* log = nullptr) : log_(log) {}

    result<adapters::health_report> check(const std::string& url, std::chrono::milliseconds timeout) override;
    /// e.g. set_check("db", "down"); set_check("db", "ok") heals it.
    void set_check(const std::string& name, const std::string& value);

private:
    call_log* log_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> checks_{{"db", "ok"}, {"redis", "ok"}};
};

}  // namespace opsbot::fakes
