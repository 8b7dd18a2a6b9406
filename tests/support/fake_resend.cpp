// Fake Resend API keys: the shapes of docs/platforms.md §6-§7 and Resend's error codes.
#include "tests/support/fake_resend.hpp"

#include "adapters/secret_provider.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace opsbot::testing {

namespace json = boost::json;

fake_resend::fake_resend() : fake_resend(options{}) {}

fake_resend::fake_resend(options o) : options_(std::move(o)) {
    keys_.push_back(
        {"00000000-0000-4000-8000-000000000000", "admin (dashboard)", options_.admin_token, "full_access", "", false});
    start([this](const sim::request& r) { return handle(r); });
}

fake_resend::~fake_resend() {
    stop();
}

std::string fake_resend::base_url() const {
    return server_url();
}

std::string fake_resend::add_key(const std::string& name, std::string token, std::string permission) {
    std::lock_guard lock(mutex_);
    const auto id = fmt::format("430eed87-632a-4ea6-90db-{:012d}", next_id_++);
    if (token.empty()) {
        token = "re_" + adapters::random_hex(16);
    }
    keys_.push_back({id, name, std::move(token), std::move(permission), "", false});
    return id;
}

std::vector<fake_resend_key> fake_resend::keys() const {
    std::lock_guard lock(mutex_);
    return keys_;
}

std::optional<fake_resend_key> fake_resend::key(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const auto& k : keys_) {
        if (k.id == id) {
            return k;
        }
    }
    return std::nullopt;
}

sim::response fake_resend::error(int status, const std::string& name, std::string message,
                                 const std::string& bearer) const {
    if (echo_ && !bearer.empty()) {
        message += " (key " + bearer + ")";
    }
    return sim::response::json(status,
                               json::object{{"statusCode", status}, {"name", name}, {"message", std::move(message)}});
}

sim::response fake_resend::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    const std::string prefix = "/api-keys";
    if (!r.path.starts_with(prefix)) {
        return error(404, "not_found", "The requested endpoint does not exist.", "");
    }
    const std::string id = r.path.size() > prefix.size() + 1 ? r.path.substr(prefix.size() + 1) : "";
    const auto auth = r.header("Authorization").value_or("");
    std::lock_guard lock(mutex_);
    const std::string kind = r.method == "POST"                         ? "create"
                             : r.method == "DELETE"                     ? "revoke"
                             : auth == "Bearer " + options_.admin_token ? "list"
                                                                        : "verify";
    if (!auth.starts_with("Bearer ") || auth.size() == 7) {
        record(kind, "", 401);
        return error(401, "missing_api_key", "Missing API key in the authorization header.", "");
    }
    const std::string bearer = auth.substr(7);
    const fake_resend_key* caller = nullptr;
    for (const auto& k : keys_) {
        if (k.token == bearer && !k.revoked) {
            caller = &k;
        }
    }
    if (caller == nullptr) {
        record(kind, "", 403);
        return error(403, "invalid_api_key", "API key is invalid", bearer);
    }
    if (auto status = failures_.take(kind)) {
        record(kind, kind == "verify" ? caller->id : id, *status);
        return error(*status, *status >= 500 ? "internal_server_error" : "application_error",
                     "The request failed (fake knob)", bearer);
    }
    // Sending-only keys may not manage keys (Resend: 401 restricted_api_key).
    if (caller->permission != "full_access") {
        record(kind, caller->id, 401);
        return error(401, "restricted_api_key", "This API key is restricted to only send emails", bearer);
    }
    if (r.method == "GET" && id.empty()) {
        return list(*caller, kind);
    }
    if (r.method == "POST" && id.empty()) {
        return create(r, bearer);
    }
    if (r.method == "DELETE" && !id.empty()) {
        return revoke(id, bearer);
    }
    return error(405, "method_not_allowed", "Method is not allowed for the requested path.", "");
}

sim::response fake_resend::list(const fake_resend_key& caller, const std::string& kind) {
    // GET /api-keys -> {"object":"list","has_more":false,"data":[{id,name,created_at}]} (docs/platforms.md §6 [K5]).
    json::array data;
    for (const auto& k : keys_) {
        if (!k.revoked) {
            data.push_back(json::object{{"id", k.id}, {"name", k.name}, {"created_at", "2026-11-27T10:00:00.000Z"}});
        }
    }
    record(kind, kind == "verify" ? caller.id : "", 200);
    return sim::response::json(200, json::object{{"object", "list"}, {"has_more", false}, {"data", std::move(data)}});
}

sim::response fake_resend::create(const sim::request& r, const std::string& bearer) {
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    const auto* o = !ec ? body.if_object() : nullptr;
    const auto str = [&](const char* k) {
        const auto* v = o ? o->if_contains(k) : nullptr;
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    const auto name = str("name");
    auto permission = str("permission");
    if (name.empty() || name.size() > 50) {
        record("create", "", 422);
        return error(422, "validation_error", "The `name` field must be 1 to 50 characters.", bearer);
    }
    if (permission.empty()) {
        permission = "full_access";
    }
    if (permission != "full_access" && permission != "sending_access") {
        record("create", "", 422);
        return error(422, "invalid_access", "Access must be \"full_access\" | \"sending_access\".", bearer);
    }
    const auto id = fmt::format("430eed87-632a-4ea6-90db-{:012d}", next_id_++);
    const auto token = "re_" + adapters::random_hex(16);
    keys_.push_back({id, name, token, permission, str("domain_id"), false});
    record("create", id, 201);
    return sim::response::json(201, json::object{{"id", id}, {"token", token}});
}

sim::response fake_resend::revoke(const std::string& id, const std::string& bearer) {
    for (auto& k : keys_) {
        if (k.id == id && !k.revoked) {
            k.revoked = true;
            record("revoke", id, 200);
            return sim::response::json(200, json::object{});
        }
    }
    record("revoke", id, 404);
    return error(404, "not_found", "API key not found", bearer);
}

}  // namespace opsbot::testing
