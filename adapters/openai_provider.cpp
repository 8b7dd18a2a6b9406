// OpenAI project service-account keys as a secret provider, through the admin API (platforms.md §6 [K1][K2][K3]).
#include "adapters/provider_http.hpp"
#include "adapters/secret_provider.hpp"
#include "core/json_fields.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr std::string_view provider = "OpenAI";
using provider_http::setting;

class openai_provider final : public secret_provider {
public:
    openai_provider(const secret_config& secret, std::string admin_token, http_client& http)
        : api_url_(setting(secret.provider, "api_url", "https://api.openai.com/v1")),
          project_id_(setting(secret.provider, "project_id", "")),
          service_account_id_(setting(secret.provider, "service_account_id", "")),
          key_name_(setting(secret.provider, "key_name", "opsbot")),
          token_(std::move(admin_token)),
          http_(http) {}

    std::string name() const override { return "openai"; }

    result<std::vector<std::string>> existing_key_ids() override {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        // Cursor pages: `after=<last id>` while `has_more` (platforms.md §6, [K2]).
        return provider_http::list_key_ids(
            http_,
            [this](const std::string& after) {
                std::string url = project_url("/api_keys") + "?limit=100";
                if (!after.empty()) {
                    url += "&after=" + percent_encode(after);
                }
                return provider_http::call{provider, "GET", url, token_, nullptr,
                                           "GET /organization/projects/{id}/api_keys"};
            },
            token_,
            {"OpenAI: GET /organization/projects/{id}/api_keys: no `data`",
             "OpenAI: GET …/api_keys: a key is not an object"},
            // Keys made earlier by this process count too (a retry, a second rotation): the list is taken before
            // the new key is made, and secret.revoke skips the run's new key.
            [this](const json::object& key) { return managed(key); });
    }

    result<issued_key> create_key(const std::string& label) override {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        issued_key key;
        const std::string key_name = label.starts_with(key_name_) ? label : key_name_ + "-" + label;
        if (!service_account_id_.empty()) {
            // A new key for the configured service account: the answer is the key itself (§6 [K3]).
            json::value payload = json::object{{"name", key_name}};
            auto body = provider_http::send_json(
                http_,
                {provider, "POST",
                 project_url("/service_accounts/" + percent_encode(service_account_id_) + "/api_keys"), token_,
                 &payload, "POST /organization/projects/{id}/service_accounts/{sa}/api_keys"},
                {token_});
            if (!body) {
                return std::unexpected(body.error());
            }
            if (const auto* obj = body->if_object()) {
                key = {json_string(*obj, "id"), json_string(*obj, "value")};
            }
        } else {
            // No service account configured: a new one per rotation; its first key is in `api_key` (§6, §7).
            json::value payload = json::object{{"name", key_name}};
            auto body = provider_http::send_json(http_,
                                                 {provider, "POST", project_url("/service_accounts"), token_, &payload,
                                                  "POST /organization/projects/{id}/service_accounts"},
                                                 {token_});
            if (!body) {
                return std::unexpected(body.error());
            }
            const auto* obj = body->if_object();
            const auto* api_key = obj ? obj->if_contains("api_key") : nullptr;
            if (api_key && api_key->is_object()) {
                key = {json_string(api_key->get_object(), "id"), json_string(api_key->get_object(), "value")};
            }
        }
        if (key.id.empty() || key.value.empty()) {
            return fail(error_kind::bad_response, "OpenAI: the new key's `id` and `value` are missing from the answer");
        }
        spdlog::info("OpenAI: created project API key {} ({})", key.id, key_name);
        return key;
    }

    result<void> verify_key(const std::string& value) override {
        // Any authenticated read proves the key: GET /models is the cheapest (§6).
        auto body = provider_http::send_json(
            http_, {provider, "GET", join_url(api_url_, "/models"), value, nullptr, "GET /models (new key)"},
            {value, token_});
        if (!body) {
            return std::unexpected(body.error());
        }
        return {};
    }

    result<void> revoke_key(const std::string& id) override {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        return provider_http::revoke(http_,
                                     {provider, "DELETE", project_url("/api_keys/" + percent_encode(id)), token_,
                                      nullptr, "DELETE /organization/projects/{id}/api_keys/{key}"},
                                     token_, "project API key", id);
    }

private:
    result<void> need_project() const {
        if (project_id_.empty()) {
            return fail(error_kind::invalid_input, "OpenAI: set provider.project_id for this secret in the config");
        }
        return {};
    }

    std::string project_url(const std::string& rest) const {
        return join_url(api_url_, "/organization/projects/" + percent_encode(project_id_) + rest);
    }

    // A key is ours when its owner is the configured service account, or (none configured) a service account
    // whose name carries the key_name prefix, as create_key names them. Never a user's key.
    bool managed(const json::object& key) const {
        const auto* owner = key.if_contains("owner");
        const auto* sa = owner && owner->is_object() ? owner->get_object().if_contains("service_account") : nullptr;
        if (!sa || !sa->is_object()) {
            return false;
        }
        if (!service_account_id_.empty()) {
            return json_string(sa->get_object(), "id") == service_account_id_;
        }
        const auto sa_name = json_string(sa->get_object(), "name");
        return sa_name == key_name_ || sa_name.starts_with(key_name_ + "-");
    }

    std::string api_url_;
    std::string project_id_;
    std::string service_account_id_;
    std::string key_name_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<secret_provider> make_openai_provider(const secret_config& secret, std::string admin_token,
                                                      http_client& http) {
    return std::make_unique<openai_provider>(secret, std::move(admin_token), http);
}

}  // namespace opsbot::adapters
