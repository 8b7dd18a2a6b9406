#pragma once

#include "adapters/http_client.hpp"
#include "core/error.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace opsbot::adapters {

/// What a /health endpoint said (runbook §7: {"status":"ok","timestamp":"…","checks":{"db":"ok","redis":"ok"}}).
/// A non-200 answer's body is read too: reason names its failing checks ("HTTP 503 (redis: error)").
struct health_report {
    bool ok = false;          ///< HTTP 200, status "ok" and every check "ok"
    int http_status = 0;      ///< 0 when no answer arrived
    std::string status;       ///< the body's "status"
    std::string timestamp;    ///< the body's "timestamp", as sent
    std::string db;           ///< checks.db ("" when absent)
    std::string redis;        ///< checks.redis ("" when absent)
    std::map<std::string, std::string> checks;  ///< every check, including ones beyond db/redis
    std::string reason;       ///< why ok is false, fit for the user ("db: down", "HTTP 500", "not JSON")
    std::chrono::milliseconds elapsed{0};
};

/// Asks a service's /health endpoint. A service that answers badly is a report with ok=false;
/// errors are returned only when no answer could be had (network, timeout).
class health_checker {
public:
    virtual ~health_checker() = default;
    /// GET `url`, one attempt bounded by `timeout`.
    virtual result<health_report> check(const std::string& url, std::chrono::milliseconds timeout) = 0;
};

/// The bot's checker, on the shared client: each check is one attempt (http_request::one_attempt), and a 5xx
/// answer's body is read (it names what is down).
std::unique_ptr<health_checker> make_health_checker(http_client& shared);

/// The same, with `base`'s connect timeout and TLS settings (verify_tls, ca_file).
std::unique_ptr<health_checker> make_health_checker(http_options base);

/// Judges a /health answer (pure; used by both checkers and the sandbox).
health_report judge_health_answer(int http_status, std::string_view body);

}  // namespace opsbot::adapters
