// Fake OpenAI admin API (project keys and service accounts) and /v1/models: platforms.md §6-§7.
#include "tests/support/fake_openai.hpp"

#include "adapters/secret_provider.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

constexpr std::int64_t created_at = 1711471533;

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 1;
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        parts.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return parts;
}

}  // namespace

fake_openai::fake_openai() : fake_openai(options{}) {}

fake_openai::fake_openai(options o) : options_(std::move(o)) {
    start([this](const sim::request& r) { return handle(r); });
}

fake_openai::~fake_openai() {
    stop();
}

std::string fake_openai::base_url() const {
    return server_url() + "/v1";
}

std::string fake_openai::add_service_account(const std::string& name) {
    std::lock_guard lock(mutex_);
    accounts_.push_back({fmt::format("svc_acct_{:04d}", next_id_++), name, false});
    return accounts_.back().id;
}

std::string fake_openai::add_key(const std::string& service_account_id, const std::string& name) {
    std::lock_guard lock(mutex_);
    return new_key_locked(service_account_id, name).id;
}

fake_openai_key& fake_openai::new_key_locked(const std::string& service_account_id, const std::string& name) {
    keys_.push_back({fmt::format("key_{:04d}", next_id_++), name, "sk-svcacct-" + adapters::random_hex(20),
                     service_account_id, false});
    return keys_.back();
}

std::vector<fake_openai_key> fake_openai::keys() const {
    std::lock_guard lock(mutex_);
    return keys_;
}

std::optional<fake_openai_key> fake_openai::key(const std::string& id) const {
    std::lock_guard lock(mutex_);
    for (const auto& k : keys_) {
        if (k.id == id) {
            return k;
        }
    }
    return std::nullopt;
}

std::vector<fake_openai_service_account> fake_openai::service_accounts() const {
    std::lock_guard lock(mutex_);
    return accounts_;
}

sim::response fake_openai::error(int status, std::string type, std::string code, std::string message,
                                 const std::string& bearer) const {
    if (echo_ && !bearer.empty()) {
        message += " Incorrect API key provided: " + bearer + ".";
    }
    return sim::response::json(
        status,
        json::object{{"error", json::object{{"message", std::move(message)},
                                            {"type", std::move(type)},
                                            {"param", nullptr},
                                            {"code", code.empty() ? json::value(nullptr) : json::value(code)}}}});
}

sim::response fake_openai::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    const auto parts = split_path(r.path);
    const std::string bearer = bearer_of(r);
    const bool models = r.method == "GET" && parts.size() == 2 && parts[0] == "v1" && parts[1] == "models";
    // /v1/organization/projects/{project}/…
    const bool admin_path =
        parts.size() >= 5 && parts[0] == "v1" && parts[1] == "organization" && parts[2] == "projects";
    std::string kind = "other";
    if (models) {
        kind = "verify";
    } else if (admin_path && r.method == "GET" && parts.size() == 5 &&
               (parts[4] == "api_keys" || parts[4] == "service_accounts")) {
        kind = "list";
    } else if (admin_path && r.method == "POST") {
        kind = "create";
    } else if (admin_path && r.method == "DELETE") {
        kind = "revoke";
    }
    std::lock_guard lock(mutex_);
    const fake_openai_key* caller = nullptr;
    for (const auto& k : keys_) {
        if (!bearer.empty() && k.value == bearer && !k.deleted) {
            caller = &k;
        }
    }
    const bool is_admin = !bearer.empty() && bearer == options_.admin_key;
    if (!is_admin && caller == nullptr) {
        record(kind, "", 401);
        return error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.", bearer);
    }
    if (!models && !admin_path) {
        return error(404, "invalid_request_error", "", "Invalid URL (" + r.method + " " + r.path + ")", "");
    }
    if (auto status = failures_.take(kind)) {
        record(kind, caller ? caller->id : "", *status);
        return error(*status, *status >= 500 ? "server_error" : "invalid_request_error", "",
                     "The request failed (fake knob).", bearer);
    }
    if (models) {
        record("verify", caller ? caller->id : "admin", 200);
        return sim::response::json(
            200,
            json::object{
                {"object", "list"},
                {"data",
                 json::array{json::object{
                     {"id", "gpt-4o-mini"}, {"object", "model"}, {"created", created_at}, {"owned_by", "system"}}}}});
    }
    if (!is_admin) {
        record(kind, "", 403);
        return error(403, "invalid_request_error", "",
                     "You have insufficient permissions for this operation. Missing scopes: api.management.read.",
                     bearer);
    }
    if (parts[3] != options_.project_id) {
        record(kind, "", 404);
        return error(404, "invalid_request_error", "", "No such project: " + parts[3], "");
    }
    if (kind == "list") {
        return parts[4] == "api_keys" ? list_keys(r) : list_accounts(r);
    }
    if (r.method == "POST" && parts.size() == 5 && parts[4] == "service_accounts") {
        return create_service_account(r);
    }
    if (r.method == "POST" && parts.size() == 7 && parts[4] == "service_accounts" && parts[6] == "api_keys") {
        return create_key(parts[5], r);
    }
    if (r.method == "DELETE" && parts.size() == 6 && parts[4] == "api_keys") {
        return delete_key(parts[5]);
    }
    if (r.method == "DELETE" && parts.size() == 6 && parts[4] == "service_accounts") {
        return delete_account(parts[5]);
    }
    return error(404, "invalid_request_error", "", "Invalid URL (" + r.method + " " + r.path + ")", "");
}

std::optional<size_t> fake_openai::page_limit(const sim::request& r) const {
    int limit = options_.page_size;
    try {
        if (r.query.contains("limit")) {
            limit = std::clamp(std::stoi(r.query.at("limit")), 1, 100);
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return static_cast<size_t>(std::min(limit, options_.page_size));
}

sim::response fake_openai::list_page(const sim::request& r, std::vector<json::object> items) {
    const auto limit = page_limit(r);
    if (!limit) {
        return error(400, "invalid_request_error", "", "Invalid limit.", "");
    }
    size_t start = 0;
    if (r.query.contains("after")) {
        const auto it = std::find_if(items.begin(), items.end(),
                                     [&](const json::object& o) { return o.at("id").as_string() == r.query.at("after"); });
        start = it == items.end() ? items.size() : static_cast<size_t>(it - items.begin()) + 1;
    }
    json::array data;
    for (size_t i = start; i < items.size() && data.size() < *limit; ++i) {
        data.push_back(std::move(items[i]));
    }
    const bool more = start + data.size() < items.size();
    json::object answer{{"object", "list"},
                        {"first_id", data.empty() ? json::value(nullptr) : data.front().at("id")},
                        {"last_id", data.empty() ? json::value(nullptr) : data.back().at("id")},
                        {"has_more", more}};
    answer["data"] = std::move(data);
    record("list", "", 200);
    return sim::response::json(200, answer);
}

sim::response fake_openai::list_accounts(const sim::request& r) {
    // ProjectServiceAccountListResponse of the description.
    std::vector<json::object> items;
    for (const auto& a : accounts_) {
        if (!a.deleted) {
            items.push_back(json::object{{"object", "organization.project.service_account"},
                                         {"id", a.id},
                                         {"name", a.name},
                                         {"role", "member"},
                                         {"created_at", created_at}});
        }
    }
    return list_page(r, std::move(items));
}

sim::response fake_openai::delete_account(const std::string& id) {
    for (auto& a : accounts_) {
        if (a.id == id && !a.deleted) {
            a.deleted = true;
            for (auto& k : keys_) {
                if (k.service_account_id == id) {
                    k.deleted = true;  // the account's keys stop working with it
                }
            }
            record("revoke", id, 200);
            return sim::response::json(200, json::object{{"object", "organization.project.service_account.deleted"},
                                                         {"id", id},
                                                         {"deleted", true}});
        }
    }
    record("revoke", id, 404);
    return error(404, "invalid_request_error", "", "No such service account: " + id, "");
}

sim::response fake_openai::list_keys(const sim::request& r) {
    std::vector<json::object> items;
    for (const auto& k : keys_) {
        if (k.deleted) {
            continue;
        }
        json::object owner;
        if (k.service_account_id.empty()) {
            owner = {{"type", "user"},
                     {"user", json::object{{"object", "organization.project.user"},
                                           {"id", "user_abc"},
                                           {"name", "First Last"},
                                           {"email", "user@example.com"},
                                           {"role", "owner"},
                                           {"added_at", created_at}}}};
        } else {
            std::string sa_name;
            for (const auto& a : accounts_) {
                if (a.id == k.service_account_id) {
                    sa_name = a.name;
                }
            }
            owner = {{"type", "service_account"},
                     {"service_account", json::object{{"object", "organization.project.service_account"},
                                                      {"id", k.service_account_id},
                                                      {"name", sa_name},
                                                      {"role", "member"},
                                                      {"created_at", created_at}}}};
        }
        items.push_back(json::object{{"object", "organization.project.api_key"},
                                     {"redacted_value", "sk-abc...def"},
                                     {"name", k.name},
                                     {"created_at", created_at},
                                     {"last_used_at", nullptr},
                                     {"id", k.id},
                                     {"owner", std::move(owner)}});
    }
    return list_page(r, std::move(items));
}

sim::response fake_openai::create_service_account(const sim::request& r) {
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    const auto* name = !ec && body.is_object() ? body.get_object().if_contains("name") : nullptr;
    if (!name || !name->is_string() || name->get_string().empty()) {
        record("create", "", 400);
        return error(400, "invalid_request_error", "", "Missing required parameter: 'name'.", "");
    }
    accounts_.push_back({fmt::format("svc_acct_{:04d}", next_id_++), std::string(name->get_string()), false});
    const auto account = accounts_.back();
    const auto& k = new_key_locked(account.id, "Secret Key");
    record("create", k.id, 200);
    // The unredacted key is in api_key.value, shown once (platforms.md §7 [K3]).
    return sim::response::json(
        200, json::object{{"object", "organization.project.service_account"},
                          {"id", account.id},
                          {"name", account.name},
                          {"role", "member"},
                          {"created_at", created_at},
                          {"api_key", json::object{{"object", "organization.project.service_account.api_key"},
                                                   {"value", k.value},
                                                   {"name", k.name},
                                                   {"created_at", created_at},
                                                   {"id", k.id}}}});
}

sim::response fake_openai::create_key(const std::string& service_account_id, const sim::request& r) {
    const bool known =
        std::any_of(accounts_.begin(), accounts_.end(),
                    [&](const auto& a) { return a.id == service_account_id && !a.deleted; });
    if (!known) {
        record("create", "", 404);
        return error(404, "invalid_request_error", "", "No such service account: " + service_account_id, "");
    }
    boost::system::error_code ec;
    const auto body = json::parse(r.body.empty() ? "{}" : r.body, ec);
    const auto* name = !ec && body.is_object() ? body.get_object().if_contains("name") : nullptr;
    const auto& k =
        new_key_locked(service_account_id, name && name->is_string() ? std::string(name->get_string()) : "Secret Key");
    record("create", k.id, 200);
    return sim::response::json(200, json::object{{"object", "organization.project.service_account.api_key"},
                                                 {"id", k.id},
                                                 {"name", k.name},
                                                 {"created_at", created_at},
                                                 {"value", k.value},
                                                 {"expires_at", nullptr}});
}

sim::response fake_openai::delete_key(const std::string& id) {
    for (auto& k : keys_) {
        if (k.id == id && !k.deleted && !k.service_account_id.empty()) {
            // "Returns confirmation of the key deletion, or an error if the key belonged to a service account"
            // (openai.json, DELETE /organization/projects/{project_id}/api_keys/{api_key_id}: 400 ErrorResponse).
            record("revoke", id, 400);
            return error(400, "invalid_request_error", "",
                         "API keys owned by a service account cannot be deleted; delete the service account instead.",
                         "");
        }
        if (k.id == id && !k.deleted) {
            k.deleted = true;
            record("revoke", id, 200);
            return sim::response::json(
                200, json::object{{"object", "organization.project.api_key.deleted"}, {"id", id}, {"deleted", true}});
        }
    }
    record("revoke", id, 404);
    return error(404, "invalid_request_error", "", "No such API key: " + id, "");
}

}  // namespace opsbot::testing
