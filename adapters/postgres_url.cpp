#include "adapters/postgres_url.hpp"

#include "pq/libpq.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>

#include <memory>

namespace opsbot::adapters {
namespace {

struct options_deleter {
    decltype(&::PQconninfoFree) free = nullptr;
    void operator()(PQconninfoOption* o) const { free(o); }
};
using options_ptr = std::unique_ptr<PQconninfoOption, options_deleter>;

result<options_ptr> parse(std::string_view url) {
    auto pq = pq::libpq();
    if (!pq) {
        return std::unexpected(pq.error());
    }
    char* err = nullptr;
    options_ptr opts((*pq)->conninfo_parse(std::string(url).c_str(), &err), options_deleter{(*pq)->conninfo_free});
    if (!opts) {
        // libpq's message may quote the text it failed on: redact before it goes anywhere.
        std::string why = err != nullptr ? global_redactor().redact(err) : std::string("out of memory");
        (*pq)->freemem(err);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
            why.pop_back();
        }
        return fail(error_kind::invalid_input, "the database URL is not valid: " + why);
    }
    return opts;
}

}  // namespace

result<pg_child_env> pg_env_from_url(std::string_view url) {
    auto opts = parse(url);
    if (!opts) {
        return std::unexpected(opts.error());
    }
    pg_child_env out;
    for (const PQconninfoOption* o = opts->get(); o->keyword != nullptr; ++o) {
        if (o->envvar == nullptr) {
            continue;
        }
        if (o->val != nullptr && *o->val != '\0') {
            out.set[o->envvar] = o->val;
        }
    }
    return out;
}

std::string pg_database_name(std::string_view url) {
    return pg_url_value(url, "dbname");
}

std::string pg_url_value(std::string_view url, std::string_view keyword) {
    auto opts = parse(url);
    if (!opts) {
        return {};
    }
    for (const PQconninfoOption* o = opts->get(); o->keyword != nullptr; ++o) {
        if (std::string_view(o->keyword) == keyword && o->val != nullptr) {
            return o->val;
        }
    }
    return {};
}

void register_database_url(std::string_view url) {
    global_redactor().add_secret(std::string(url), "database-url");
    auto opts = parse(url);
    if (!opts) {
        return;
    }
    for (const PQconninfoOption* o = opts->get(); o->keyword != nullptr; ++o) {
        if (std::string_view(o->keyword) == "password" && o->val != nullptr) {
            global_redactor().add_secret(o->val, "database-password");
        }
    }
}

result<std::string> database_url_for(const std::map<std::string, database_config>& databases,
                                     std::string_view environment, env_lookup env) {
    auto it = databases.find(std::string(environment));
    if (it == databases.end() || it->second.url_env.empty()) {
        return fail(error_kind::unavailable,
                    fmt::format("No database configured for `{}` (config: databases.{}.url_env).", environment,
                                environment));
    }
    auto value = env(it->second.url_env);
    if (!value || value->empty()) {
        return fail(error_kind::unavailable,
                    fmt::format("{} (the {} database URL) is not set.", it->second.url_env, environment));
    }
    register_database_url(*value);
    return *value;
}

}  // namespace opsbot::adapters
