#include "pq/libpq.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace opsbot::pq {
namespace {

constexpr const char* library_name = "libpq.so.5";

template <class Fn>
bool bind(void* handle, const char* symbol, Fn& out, std::string& missing) {
    out = reinterpret_cast<Fn>(::dlsym(handle, symbol));
    if (out == nullptr && missing.empty()) {
        missing = symbol;
    }
    return out != nullptr;
}

result<const libpq_api*> load() {
    static libpq_api api;
    void* handle = ::dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return fail(error_kind::unavailable,
                    std::string("PostgreSQL client library not available (") + (why != nullptr ? why : library_name) +
                        "); install libpq5");
    }
    std::string missing;
    bind(handle, "PQconnectdbParams", api.connectdb_params, missing);
    bind(handle, "PQstatus", api.status, missing);
    bind(handle, "PQerrorMessage", api.error_message, missing);
    bind(handle, "PQfinish", api.finish, missing);
    bind(handle, "PQreset", api.reset, missing);
    bind(handle, "PQexec", api.exec, missing);
    bind(handle, "PQexecParams", api.exec_params, missing);
    bind(handle, "PQresultStatus", api.result_status, missing);
    bind(handle, "PQresultErrorMessage", api.result_error_message, missing);
    bind(handle, "PQresultErrorField", api.result_error_field, missing);
    bind(handle, "PQntuples", api.ntuples, missing);
    bind(handle, "PQnfields", api.nfields, missing);
    bind(handle, "PQftype", api.ftype, missing);
    bind(handle, "PQgetvalue", api.getvalue, missing);
    bind(handle, "PQgetisnull", api.getisnull, missing);
    bind(handle, "PQcmdStatus", api.cmd_status, missing);
    bind(handle, "PQcmdTuples", api.cmd_tuples, missing);
    bind(handle, "PQtransactionStatus", api.transaction_status, missing);
    bind(handle, "PQsetNoticeProcessor", api.set_notice_processor, missing);
    bind(handle, "PQclear", api.clear, missing);
    bind(handle, "PQconninfoParse", api.conninfo_parse, missing);
    bind(handle, "PQconninfoFree", api.conninfo_free, missing);
    bind(handle, "PQfreemem", api.freemem, missing);
    bind(handle, "PQlibVersion", api.lib_version, missing);
    if (!missing.empty()) {
        return fail(error_kind::unavailable, std::string(library_name) + " lacks " + missing + "; install libpq5");
    }
    return &api;  // the handle stays open for the life of the process
}

}  // namespace

result<const libpq_api*> libpq() {
    static std::once_flag once;
    static result<const libpq_api*> loaded = fail(error_kind::internal, "libpq not loaded");
    std::call_once(once, [] { loaded = load(); });
    return loaded;
}

}  // namespace opsbot::pq
