#pragma once

#include "core/error.hpp"
#include "pq/libpq.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsbot::adapters {

/// Bounds of every libpq session the bot opens itself (pg_dump and the deploy command have their own): a
/// statement cannot hold the worker for ever, a dead server or network is noticed, a connect does not hang.
struct pg_limits {
    std::chrono::milliseconds statement_timeout{std::chrono::seconds{30}};  ///< the server cancels a longer one
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds keepalives_idle{30};  ///< TCP keepalives: a silent peer is given up on after
    std::chrono::seconds keepalives_interval{10};  ///< idle + interval × count (60 s here)
    int keepalives_count = 3;
};

/// The keywords and values given to PQconnectdbParams, in order: connect_timeout (the URL may set its own), the
/// URL itself (expanded), then keepalives and `options` with `-c statement_timeout=<ms>` added to any options the
/// URL carries. Later keywords win, so the limits hold whatever the URL says.
std::vector<std::pair<std::string, std::string>> pg_connect_params(const std::string& url, const pg_limits& limits);

struct pg_result_deleter {
    decltype(&::PQclear) clear = nullptr;
    void operator()(PGresult* r) const { clear(r); }
};
using pg_result = std::unique_ptr<PGresult, pg_result_deleter>;

/// One libpq connection opened with pg_connect_params. Blocking: use it on a worker.
class pg_session {
public:
    /// Connects; the error is redacted (libpq messages can echo connection details).
    static result<pg_session> open(const std::string& url, const pg_limits& limits = {});

    /// Runs one statement. Its rows, or an error naming `what`: a statement the server cancelled after
    /// statement_timeout is error_kind::timeout and says so; any other failure is bad_response, redacted.
    result<pg_result> exec(const char* sql, std::string_view what);

    const pq::libpq_api& api() const { return *pq_; }
    PGconn* native() const { return conn_.get(); }

private:
    struct conn_deleter {
        decltype(&::PQfinish) finish = nullptr;
        void operator()(PGconn* c) const { finish(c); }
    };
    pg_session(const pq::libpq_api* pq, PGconn* conn, const pg_limits& limits)
        : pq_(pq), conn_(conn, conn_deleter{pq->finish}), limits_(limits) {}

    const pq::libpq_api* pq_;
    std::unique_ptr<PGconn, conn_deleter> conn_;
    pg_limits limits_;
};

}  // namespace opsbot::adapters
