#include "adapters/pg_session.hpp"

#include "adapters/postgres_url.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>

namespace opsbot::adapters {
namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

// SQLSTATE 57014 query_canceled: what the server reports when statement_timeout ends a statement.
constexpr std::string_view query_canceled = "57014";

}  // namespace

std::vector<std::pair<std::string, std::string>> pg_connect_params(const std::string& url, const pg_limits& limits) {
    std::string options = pg_url_value(url, "options");
    options += fmt::format("{}-c statement_timeout={}", options.empty() ? "" : " ", limits.statement_timeout.count());
    return {
        {"connect_timeout", std::to_string(limits.connect_timeout.count())},
        {"dbname", url},
        {"keepalives", "1"},
        {"keepalives_idle", std::to_string(limits.keepalives_idle.count())},
        {"keepalives_interval", std::to_string(limits.keepalives_interval.count())},
        {"keepalives_count", std::to_string(limits.keepalives_count)},
        {"options", options},
    };
}

result<pg_session> pg_session::open(const std::string& url, const pg_limits& limits) {
    register_database_url(url);
    auto loaded = pq::libpq();
    if (!loaded) {
        return std::unexpected(loaded.error());
    }
    const pq::libpq_api& pq = **loaded;
    const auto params = pg_connect_params(url, limits);
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [key, value] : params) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    pg_session session(&pq, pq.connectdb_params(keys.data(), values.data(), 1), limits);
    if (!session.conn_ || pq.status(session.native()) != CONNECTION_OK) {
        const std::string why = session.conn_ ? pq.error_message(session.native()) : "out of memory";
        return fail(error_kind::network, global_redactor().redact("cannot connect to the database: " + trimmed(why)));
    }
    return session;
}

result<pg_result> pg_session::exec(const char* sql, std::string_view what) {
    pg_result res(pq_->exec(conn_.get(), sql), pg_result_deleter{pq_->clear});
    const auto status = pq_->result_status(res.get());
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        return res;
    }
    const char* state = res ? pq_->result_error_field(res.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (state != nullptr && std::string_view(state) == query_canceled) {
        return fail(error_kind::timeout,
                    fmt::format("{}: the database cancelled the statement after {} ms (statement_timeout)", what,
                                limits_.statement_timeout.count()));
    }
    const std::string why = res ? pq_->result_error_message(res.get()) : pq_->error_message(conn_.get());
    return fail(error_kind::bad_response, global_redactor().redact(fmt::format("{}: {}", what, trimmed(why))));
}

}  // namespace opsbot::adapters
