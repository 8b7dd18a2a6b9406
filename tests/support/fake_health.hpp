#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace opsbot::testing {

/// A service's /health endpoint on loopback (runbook §7). Answers GET /health with the configured status
/// and body; starts healthy: {"status":"ok","timestamp":"…","checks":{"db":"ok","redis":"ok"}}.
class fake_health {
public:
    fake_health();
    ~fake_health();
    fake_health(const fake_health&) = delete;
    fake_health& operator=(const fake_health&) = delete;

    /// "http://127.0.0.1:PORT/health"
    std::string url() const;
    /// Serve the runbook's shape with these check values.
    void set_checks(std::string status, std::string db, std::string redis);
    /// Serve exactly this.
    void set_answer(int http_status, std::string body);

    fake_knobs& knobs() { return knobs_; }
    size_t request_count() const { return server_->request_count(); }

private:
    sim::response handle(const sim::request& r);

    fake_knobs knobs_;
    mutable std::mutex mutex_;
    int status_ = 200;
    std::string body_;
    std::unique_ptr<sim::http_server> server_;  // last: stopped first
};

}  // namespace opsbot::testing
