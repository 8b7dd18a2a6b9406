// OpenAI project service accounts as a secret provider, through the admin API (platforms.md §6 [K1][K2][K3]).
//
// OpenAI's published description (api-specs/openai.json) says DELETE /organization/projects/{p}/api_keys/{key}
// returns "an error if the key belonged to a service account" and describes no other way to delete one
// service-account key: such a key goes away only with its service account. So a rotation creates a NEW service
// account (POST …/service_accounts answers with its api_key, value included) and deletes the OLD service account
// (DELETE …/service_accounts/{id}). The ids this provider hands out and revokes are service-account ids.
#include "adapters/provider_http.hpp"
#include "adapters/secret_provider.hpp"
#include "core/json_fields.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <functional>
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
    std::string id_noun() const override { return "service account"; }

    result<std::vector<std::string>> existing_key_ids() override {
        // The service accounts this bot manages: named with the key_name prefix (as create_key names them), and
        // the configured one made before opsbot managed the key. Never a user, never another account. Accounts
        // made earlier by this process count too: the list is taken before the new one is made.
        return list_accounts([this](const json::object& account) {
            const auto name = json_string(account, "name");
            return name == key_name_ || name.starts_with(key_name_ + "-") ||
                   (!service_account_id_.empty() && json_string(account, "id") == service_account_id_);
        });
    }

    result<issued_key> create_key(const std::string& label) override {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        // A new service account; by default the answer carries its API key with the value, shown once (§6, §7).
        const std::string account_name = name_for(label);
        json::value payload = json::object{{"name", account_name}};
        auto body = provider_http::send_json(http_,
                                             {provider, "POST", project_url("/service_accounts"), token_, &payload,
                                              "POST /organization/projects/{id}/service_accounts"},
                                             {token_});
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        const auto* api_key = obj ? obj->if_contains("api_key") : nullptr;
        issued_key key;
        if (obj && api_key && api_key->is_object()) {
            key = {json_string(*obj, "id"), json_string(api_key->get_object(), "value")};
        }
        if (key.id.empty() || key.value.empty()) {
            return fail(error_kind::bad_response,
                        "OpenAI: POST /organization/projects/{id}/service_accounts: the new account's `id` and "
                        "`api_key.value` are missing from the answer");
        }
        spdlog::info("OpenAI: created service account {} ({}) with its API key", key.id, account_name);
        return key;
    }

    result<std::vector<std::string>> cleanup_unused(const std::string& label, const std::string& keep_id) override {
        const std::string account_name = name_for(label);
        auto ids = list_accounts([&](const json::object& account) { return json_string(account, "name") == account_name; });
        if (!ids) {
            return std::unexpected(ids.error());
        }
        auto deleted = provider_http::revoke_all_but(*ids, keep_id, [this](const std::string& id) { return revoke_key(id); });
        if (deleted) {
            spdlog::info("OpenAI: {} unused service account(s) named {} deleted", deleted->size(), account_name);
        }
        return deleted;
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

    /// Deletes service account `id`, and with it its API keys.
    result<void> revoke_key(const std::string& id) override {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        return provider_http::revoke(
            http_,
            {provider, "DELETE", project_url("/service_accounts/" + percent_encode(id)), token_, nullptr,
             "DELETE /organization/projects/{id}/service_accounts/{service_account_id}"},
            token_, "service account (and its API key)", id);
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

    /// The service account create_key names for `label`: the key_name prefix and the label.
    std::string name_for(const std::string& label) const {
        return label.starts_with(key_name_) ? label : key_name_ + "-" + label;
    }

    /// The ids of the project's service accounts for which `keep` holds (GET …/service_accounts, cursor pages:
    /// `after=<last id>` while `has_more`).
    result<std::vector<std::string>> list_accounts(const std::function<bool(const json::object&)>& keep) {
        if (auto missing = need_project(); !missing) {
            return std::unexpected(missing.error());
        }
        return provider_http::list_key_ids(
            http_,
            [this](const std::string& after) {
                std::string url = project_url("/service_accounts") + "?limit=100";
                if (!after.empty()) {
                    url += "&after=" + percent_encode(after);
                }
                return provider_http::call{provider, "GET", url, token_, nullptr,
                                           "GET /organization/projects/{id}/service_accounts"};
            },
            token_,
            {"OpenAI: GET /organization/projects/{id}/service_accounts: no `data`",
             "OpenAI: GET …/service_accounts: an account is not an object"},
            keep);
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
