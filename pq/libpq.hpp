#pragma once

#include "core/error.hpp"

#include <libpq-fe.h>

namespace opsbot::pq {

/// libpq's entry points, loaded with dlopen on first use. Linking libpq directly maps it and what it links
/// (Kerberos, LDAP, GnuTLS: ~3 MB resident) into every bot process from start-up, although only the database
/// commands (/migrate, /backup, /incident migration-failed) and a PostgreSQL state backend ever talk to PostgreSQL.
/// Its own folder (pq/), below adapters/ and storage/, so that both can use it without depending on each other.
struct libpq_api {
    decltype(&::PQconnectdbParams) connectdb_params;
    decltype(&::PQstatus) status;
    decltype(&::PQerrorMessage) error_message;
    decltype(&::PQfinish) finish;
    decltype(&::PQreset) reset;
    decltype(&::PQexec) exec;
    decltype(&::PQexecParams) exec_params;
    decltype(&::PQresultStatus) result_status;
    decltype(&::PQresultErrorMessage) result_error_message;
    decltype(&::PQresultErrorField) result_error_field;
    decltype(&::PQntuples) ntuples;
    decltype(&::PQnfields) nfields;
    decltype(&::PQftype) ftype;
    decltype(&::PQgetvalue) getvalue;
    decltype(&::PQgetisnull) getisnull;
    decltype(&::PQcmdStatus) cmd_status;
    decltype(&::PQcmdTuples) cmd_tuples;
    decltype(&::PQtransactionStatus) transaction_status;
    decltype(&::PQsetNoticeProcessor) set_notice_processor;
    decltype(&::PQclear) clear;
    decltype(&::PQconninfoParse) conninfo_parse;
    decltype(&::PQconninfoFree) conninfo_free;
    decltype(&::PQfreemem) freemem;
    decltype(&::PQlibVersion) lib_version;  // `opsbot version`
};

/// The loaded API: loaded once per process (thread-safe), then the same pointer. `unavailable` naming the
/// library and dlerror()'s reason when libpq.so.5 or one of its functions is missing.
result<const libpq_api*> libpq();

}  // namespace opsbot::pq
