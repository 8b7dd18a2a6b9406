#pragma once

#include "core/error.hpp"

#include <libpq-fe.h>

namespace opsbot::adapters {

/// libpq's entry points, loaded with dlopen on first use. Linking libpq directly maps it and what it links
/// (Kerberos, LDAP, GnuTLS: ~3 MB resident) into every bot process from start-up, although only the
/// database commands (/migrate, /backup, /incident migration-failed) ever talk to PostgreSQL.
struct libpq_api {
    decltype(&::PQconnectdbParams) connectdb_params;
    decltype(&::PQstatus) status;
    decltype(&::PQerrorMessage) error_message;
    decltype(&::PQfinish) finish;
    decltype(&::PQexec) exec;
    decltype(&::PQresultStatus) result_status;
    decltype(&::PQresultErrorMessage) result_error_message;
    decltype(&::PQntuples) ntuples;
    decltype(&::PQgetvalue) getvalue;
    decltype(&::PQclear) clear;
    decltype(&::PQconninfoParse) conninfo_parse;
    decltype(&::PQconninfoFree) conninfo_free;
    decltype(&::PQfreemem) freemem;
    decltype(&::PQresultErrorField) result_error_field;
    decltype(&::PQlibVersion) lib_version;  // `opsbot version`
};

/// The loaded API: loaded once per process (thread-safe), then the same pointer. `unavailable` naming the
/// library and dlerror()'s reason when libpq.so.5 or one of its functions is missing.
result<const libpq_api*> libpq();

}  // namespace opsbot::adapters
