// Vercel project environment variable lists (platforms.md §1.5): names only, values dropped on parsing.
#include "adapters/vercel_env.hpp"

#include "core/json_fields.hpp"

#include <boost/json.hpp>

namespace opsbot::adapters {

namespace json = boost::json;

result<std::optional<std::int64_t>> parse_vercel_env_page(const json::value& body, std::vector<vercel_env_var>& out) {
    const auto* obj = body.if_object();
    const auto* envs = obj ? obj->if_contains("envs") : nullptr;
    if (!envs || !envs->is_array()) {
        return fail(error_kind::bad_response, "Vercel: GET /v10/projects/{id}/env: no `envs` array");
    }
    for (const auto& item : envs->get_array()) {
        if (!item.is_object()) {
            return fail(error_kind::bad_response, "Vercel: GET /v10/projects/{id}/env: a variable is not an object");
        }
        const auto& o = item.get_object();
        vercel_env_var v{json_string(o, "id"), json_string(o, "key"), json_string(o, "type"), {}};
        if (v.key.empty()) {
            return fail(error_kind::bad_response, "Vercel: GET /v10/projects/{id}/env: a variable has no `key`");
        }
        // `target` is an array of names; older records carry a single string.
        if (const auto* target = o.if_contains("target"); target && target->is_array()) {
            for (const auto& t : target->get_array()) {
                if (t.is_string()) {
                    v.targets.emplace_back(t.get_string());
                }
            }
        } else if (target && target->is_string()) {
            v.targets.emplace_back(target->get_string());
        }
        out.push_back(std::move(v));
    }
    // The description also allows {envs, pagination}; pagination.next set means more pages exist (§1.5 [V15]).
    const auto* pagination = obj->if_contains("pagination");
    const auto* next = pagination && pagination->is_object() ? pagination->get_object().if_contains("next") : nullptr;
    if (!next || next->is_null()) {
        return std::optional<std::int64_t>{};
    }
    if (next->is_int64()) {
        return std::optional<std::int64_t>{next->get_int64()};
    }
    if (next->is_uint64()) {
        return std::optional<std::int64_t>{static_cast<std::int64_t>(next->get_uint64())};
    }
    if (next->is_double()) {
        return std::optional<std::int64_t>{static_cast<std::int64_t>(next->get_double())};
    }
    return fail(error_kind::bad_response, "Vercel: GET /v10/projects/{id}/env: pagination.next is not a number");
}

}  // namespace opsbot::adapters
