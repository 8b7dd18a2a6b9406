#include "storage/postgres_connection.hpp"

#include "core/redactor.hpp"
#include "core/secure_memory.hpp"
#include "pq/libpq.hpp"
#include "storage/postgres_placeholders.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>
#include <vector>

namespace opsbot::storage {
namespace {

// PostgreSQL type OIDs (src/include/catalog/pg_type.dat) of the columns read back as integers.
constexpr unsigned bool_oid = 16;
constexpr unsigned int8_oid = 20;
constexpr unsigned int2_oid = 21;
constexpr unsigned int4_oid = 23;

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\t') {
            c = ' ';
        }
    }
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

/// The URL and its password: taken out of every message this connection builds, whatever their length (the
/// global redactor ignores values under 6 characters, which would mangle ordinary text; an error message about the
/// database is worth mangling rather than leaking a short password).
class secrets {
public:
    secrets(std::string_view url, std::string_view password)
        : url_(make_wiping_string(url)), password_(make_wiping_string(password)) {
        global_redactor().add_secret(std::string(url), "database-url");
        if (!password.empty()) {
            global_redactor().add_secret(std::string(password), "database-password");
        }
    }

    std::string clean(std::string text) const {
        for (const wiping_string* secret : {&url_, &password_}) {
            const std::string_view value(secret->data(), secret->size());
            if (value.empty()) {
                continue;
            }
            for (std::size_t at = text.find(value); at != std::string::npos; at = text.find(value, at)) {
                text.replace(at, value.size(), "[redacted]");
                at += 10;
            }
        }
        return global_redactor().redact(text);
    }

private:
    wiping_string url_;
    wiping_string password_;
};

/// What the URL says, as libpq reads it (PQconninfoParse), for the messages and the redaction.
struct url_parts {
    std::string host;
    std::string dbname;
    std::string password;
    ~url_parts() { secure_erase(password); }
};

std::optional<url_parts> parse_url(const pq::libpq_api& pq, const std::string& url) {
    char* err = nullptr;
    PQconninfoOption* options = pq.conninfo_parse(url.c_str(), &err);
    if (err != nullptr) {
        // It may quote the token it failed on, which can be the password: never shown.
        pq.freemem(err);
    }
    if (options == nullptr) {
        return std::nullopt;
    }
    url_parts parts;
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        const std::string_view keyword(o->keyword);
        const std::string value = o->val != nullptr ? o->val : "";
        if (keyword == "host" || (keyword == "hostaddr" && parts.host.empty())) {
            parts.host = value;
        } else if (keyword == "dbname") {
            parts.dbname = value;
        } else if (keyword == "password") {
            parts.password = value;
        }
    }
    pq.conninfo_free(options);
    return parts;
}

/// Server notices (a NOTICE from CREATE … IF NOT EXISTS, a WARNING) would go to stderr by default: to the log.
void log_notice(void*, const char* message) {
    spdlog::debug("storage: PostgreSQL says: {}", global_redactor().redact(one_line(message)));
}

struct result_deleter {
    decltype(&::PQclear) clear = nullptr;
    void operator()(PGresult* r) const { clear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

class postgres_connection final : public sql::connection {
public:
    postgres_connection(const pq::libpq_api& pq, PGconn* conn, const std::string& url, const url_parts& parts)
        : pq_(pq), conn_(conn), secrets_(url, parts.password) {}
    ~postgres_connection() override { pq_.finish(conn_); }
    postgres_connection(const postgres_connection&) = delete;
    postgres_connection& operator=(const postgres_connection&) = delete;

    sql::backend kind() const override { return sql::backend::postgresql; }

    sql::result_rows run(std::string_view text, const std::vector<sql::value>& params) override {
        usable();
        const numbered_statement statement = number_placeholders(text);
        if (params.size() > static_cast<std::size_t>(statement.placeholders)) {
            throw sql::error(sql::failure::other,
                             fmt::format("{} values bound to a statement with {} placeholders", params.size(),
                                         statement.placeholders));
        }
        // Placeholders left unbound are NULL, as in SQLite.
        std::vector<std::string> texts(static_cast<std::size_t>(statement.placeholders));
        std::vector<const char*> values(texts.size(), nullptr);
        // An integer goes as int8 (a bare `? + 1` is then 64-bit, as in SQLite); text and NULL let the server infer.
        std::vector<Oid> types(texts.size(), 0);
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (params[i].is_integer()) {
                types[i] = int8_oid;
            }
            if (!params[i].is_null()) {
                texts[i] = params[i].as_string();
                values[i] = texts[i].c_str();
            }
        }
        result_ptr res = checked(pq_.exec_params(conn_, statement.text.c_str(), statement.placeholders, types.data(),
                                                 values.data(), nullptr, nullptr, 0));
        return rows_of(res.get());
    }

    void run_script(std::string_view script) override {
        usable();
        checked(pq_.exec(conn_, std::string(script).c_str()));
    }

    void begin_write() override {
        begin("BEGIN");
        try {
            checked(pq_.exec(conn_, fmt::format("SELECT pg_advisory_xact_lock({})", postgres_write_lock_key).c_str()));
        } catch (...) {
            rollback();
            throw;
        }
    }

    void begin_read() override { begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

    void commit() override {
        if (!in_transaction_) {
            throw sql::error(sql::failure::other, "commit without an open transaction");
        }
        // Whatever COMMIT answers, the transaction is over: committed, rolled back, or gone with the connection.
        in_transaction_ = false;
        result_ptr res = checked(pq_.exec(conn_, "COMMIT"));
        // COMMIT of a transaction a statement had failed answers "ROLLBACK", not an error.
        if (std::string_view(pq_.cmd_status(res.get())) == "ROLLBACK") {
            throw sql::error(sql::failure::other, "the transaction had failed: COMMIT rolled it back");
        }
    }

    void rollback() noexcept override {
        if (!in_transaction_) {
            return;
        }
        in_transaction_ = false;
        if (pq_.status(conn_) == CONNECTION_BAD) {
            return;  // the server rolled it back when the connection went
        }
        pq_.clear(pq_.exec(conn_, "ROLLBACK"));
    }

private:
    void begin(const char* command) {
        if (in_transaction_) {
            throw sql::error(sql::failure::other, "a transaction is already open on this connection");
        }
        usable();
        checked(pq_.exec(conn_, command));
        in_transaction_ = true;
    }

    /// A connection lost earlier is reset here, once per call, unless a transaction was open on it: that
    /// transaction is gone, and running its next statement alone on a new connection would break its atomicity.
    void usable() {
        if (pq_.status(conn_) != CONNECTION_BAD) {
            return;
        }
        if (in_transaction_) {
            throw sql::error(sql::failure::connection_lost,
                             "the connection to PostgreSQL was lost in a transaction (the server rolled it back)");
        }
        pq_.reset(conn_);
        if (pq_.status(conn_) != CONNECTION_OK) {
            throw sql::error(sql::failure::connection_lost,
                             secrets_.clean("cannot reconnect to PostgreSQL: " + one_line(pq_.error_message(conn_))));
        }
        pq_.set_notice_processor(conn_, &log_notice, nullptr);
        spdlog::info("storage: reconnected to PostgreSQL");
    }

    /// The result when the statement succeeded; else throws sql::error with the failure kind and the server's
    /// primary message (its DETAIL, which may quote the row's values, is left out).
    result_ptr checked(PGresult* raw) {
        result_ptr res(raw, result_deleter{pq_.clear});
        const ExecStatusType status = res ? pq_.result_status(res.get()) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
            return res;
        }
        const bool broken = pq_.status(conn_) == CONNECTION_BAD;
        const char* state = res ? pq_.result_error_field(res.get(), PG_DIAG_SQLSTATE) : nullptr;
        const char* primary = res ? pq_.result_error_field(res.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        std::string message;
        if (primary != nullptr) {
            message = primary;
            if (state != nullptr) {
                message += fmt::format(" (SQLSTATE {})", state);
            }
        } else {
            message = res ? pq_.result_error_message(res.get()) : "";
            if (one_line(message).empty()) {
                message = pq_.error_message(conn_);
            }
        }
        // A failed script or statement outside a transaction the caller knows of (a BEGIN inside a script) must not
        // leave the session in an aborted transaction that would refuse everything after it.
        if (!in_transaction_ && !broken && pq_.transaction_status(conn_) == PQTRANS_INERROR) {
            pq_.clear(pq_.exec(conn_, "ROLLBACK"));
        }
        const sql::failure kind = postgres_failure(state != nullptr ? state : "", broken);
        if (kind == sql::failure::connection_lost) {
            message = "the connection to PostgreSQL was lost: " + message;
        }
        throw sql::error(kind, secrets_.clean(one_line(message)));
    }

    sql::result_rows rows_of(PGresult* res) const {
        sql::result_rows out;
        const int rows = pq_.ntuples(res);
        const int columns = pq_.nfields(res);
        out.rows.reserve(static_cast<std::size_t>(rows));
        for (int r = 0; r < rows; ++r) {
            std::vector<sql::value> row;
            row.reserve(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                row.push_back(column(res, r, c));
            }
            out.rows.push_back(std::move(row));
        }
        const std::string_view command = pq_.cmd_status(res);
        if (command.starts_with("INSERT") || command.starts_with("UPDATE") || command.starts_with("DELETE") ||
            command.starts_with("MERGE")) {
            const std::string_view count = pq_.cmd_tuples(res);
            std::int64_t changed = 0;
            std::from_chars(count.data(), count.data() + count.size(), changed);
            out.changed = changed;
        }
        return out;
    }

    sql::value column(PGresult* res, int row, int col) const {
        if (pq_.getisnull(res, row, col) != 0) {
            return {};
        }
        const std::string_view text = pq_.getvalue(res, row, col);
        const unsigned type = pq_.ftype(res, col);
        if (type == bool_oid) {
            return sql::value(text == "t" ? 1 : 0);
        }
        if (type == int8_oid || type == int4_oid || type == int2_oid) {
            std::int64_t number = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
            if (ec == std::errc{} && end == text.data() + text.size()) {
                return sql::value(number);
            }
        }
        return sql::value(text);
    }

    const pq::libpq_api& pq_;
    PGconn* conn_;
    secrets secrets_;
    bool in_transaction_ = false;
};

}  // namespace

sql::failure postgres_failure(std::string_view sqlstate, bool connection_broken) {
    if (connection_broken || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
        sqlstate == "57P03") {
        return sql::failure::connection_lost;  // connection_exception, admin/crash shutdown, cannot_connect_now
    }
    if (sqlstate.starts_with("23")) {
        return sql::failure::constraint;  // integrity_constraint_violation
    }
    if (sqlstate == "P0001") {
        return sql::failure::refused_by_trigger;  // raise_exception: the triggers of storage/schema_postgres.cpp
    }
    return sql::failure::other;
}

std::string postgres_label(const std::string& url) {
    auto loaded = pq::libpq();
    if (!loaded) {
        return "PostgreSQL";
    }
    const std::optional<url_parts> parts = parse_url(**loaded, url);
    if (!parts) {
        return "PostgreSQL";
    }
    std::string label = "PostgreSQL";
    if (!parts->dbname.empty()) {
        label += fmt::format(" database `{}`", parts->dbname);
    }
    label += fmt::format(" on `{}`", parts->host.empty() ? "the default host" : parts->host);
    // A dbname that is itself a URL (key=value form) could carry the password: the label is then plain.
    if (!parts->password.empty() && label.find(parts->password) != std::string::npos) {
        return "PostgreSQL";
    }
    return label;
}

result<std::unique_ptr<sql::connection>> open_postgres(const std::string& url) {
    auto loaded = pq::libpq();
    if (!loaded) {
        return std::unexpected(loaded.error());
    }
    const pq::libpq_api& pq = **loaded;
    const std::optional<url_parts> parts = parse_url(pq, url);
    if (!parts) {
        return fail(error_kind::unavailable,
                    "the PostgreSQL database URL is not a valid libpq URI or connection string (libpq's reason is "
                    "not shown: it may quote the password)");
    }
    const secrets secret(url, parts->password);
    // The URL's own settings win over the defaults before it; keepalives notice a peer gone silent (a network cut)
    // instead of a statement waiting for ever.
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count", nullptr};
    const char* values[] = {"10", "opsbot", url.c_str(), "1", "30", "10", "3", nullptr};
    PGconn* conn = pq.connectdb_params(keys, values, 1);
    if (conn == nullptr) {
        return fail(error_kind::unavailable, "cannot connect to PostgreSQL: out of memory");
    }
    if (pq.status(conn) != CONNECTION_OK) {
        std::string why = one_line(pq.error_message(conn));
        pq.finish(conn);
        return fail(error_kind::unavailable,
                    secret.clean(fmt::format("cannot connect to PostgreSQL database `{}` on `{}`: {}", parts->dbname,
                                             parts->host.empty() ? "the default host" : parts->host, why)));
    }
    pq.set_notice_processor(conn, &log_notice, nullptr);
    return std::make_unique<postgres_connection>(pq, conn, url, *parts);
}

}  // namespace opsbot::storage
