// Resend API keys as a secret provider (platforms.md §6, §7 [K4][K5]).
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

constexpr std::string_view provider = "Resend";
constexpr std::string_view default_api_url = "https://api.resend.com";
// Resend limits a key name to 50 characters (platforms.md §6).
constexpr std::size_t max_name = 50;

using provider_http::setting;

bool managed_name(std::string_view name, std::string_view prefix) {
    return name == prefix || (name.starts_with(prefix) && name.size() > prefix.size() && name[prefix.size()] == '-');
}

class resend_provider final : public secret_provider {
public:
    resend_provider(const secret_config& secret, std::string admin_token, http_client& http)
        : api_url_(setting(secret.provider, "api_url", std::string(default_api_url))),
          key_name_(setting(secret.provider, "key_name", "opsbot")),
          permission_(setting(secret.provider, "permission", "sending_access")),
          domain_id_(setting(secret.provider, "domain_id", "")),
          token_(std::move(admin_token)),
          http_(http) {}

    std::string name() const override { return "resend"; }

    result<std::vector<std::string>> existing_key_ids() override {
        // Only the keys this bot manages (name prefix): never an unrelated key. Keys made earlier by this process
        // count too (a retry, a second rotation): the list is taken before the new key is made, and secret.revoke
        // skips the run's new key.
        return list_keys([this](const json::object& key) { return managed_name(json_string(key, "name"), key_name_); });
    }

    result<issued_key> create_key(const std::string& label) override {
        const std::string key_name = name_for(label);
        json::value payload = json::object{{"name", key_name}, {"permission", permission_}};
        if (!domain_id_.empty()) {
            payload.get_object()["domain_id"] = domain_id_;
        }
        auto body = provider_http::send_json(
            http_, {provider, "POST", join_url(api_url_, "/api-keys"), token_, &payload, "POST /api-keys"}, {token_});
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        issued_key key{obj ? json_string(*obj, "id") : "", obj ? json_string(*obj, "token") : ""};
        if (key.id.empty() || key.value.empty()) {
            return fail(error_kind::bad_response, "Resend: POST /api-keys: no `id` and `token` in the answer");
        }
        spdlog::info("Resend: created API key {} ({})", key.id, key_name);
        return key;
    }

    result<std::vector<std::string>> cleanup_unused(const std::string& label, const std::string& keep_id) override {
        // The keys named as create_key(label) names them: this run's, since a label carries the run's time.
        const std::string key_name = name_for(label);
        auto ids = list_keys([&](const json::object& key) { return json_string(key, "name") == key_name; });
        if (!ids) {
            return std::unexpected(ids.error());
        }
        auto revoked = provider_http::revoke_all_but(*ids, keep_id, [this](const std::string& id) { return revoke_key(id); });
        if (revoked) {
            spdlog::info("Resend: {} unused key(s) named {} revoked", revoked->size(), key_name);
        }
        return revoked;
    }

    result<void> verify_key(const std::string& value) override {
        const provider_http::call c{provider, "GET",   join_url(api_url_, "/api-keys"),
                                    value,    nullptr, "GET /api-keys (new key)"};
        auto response = provider_http::send(http_, c);
        if (!response) {
            return std::unexpected(response.error());
        }
        if (response->status >= 200 && response->status < 300) {
            return {};
        }
        // A sending_access key may not list keys: Resend answers 401 restricted_api_key, which still proves
        // the key is known and active; an unknown key gets 403 (platforms.md §6, Resend error codes).
        if (response->status == 401 && response->body.find("restricted_api_key") != std::string::npos) {
            return {};
        }
        return std::unexpected(provider_http::status_error(c, *response, {value, token_}));
    }

    result<void> revoke_key(const std::string& id) override {
        return provider_http::revoke(http_,
                                     {provider, "DELETE", join_url(api_url_, "/api-keys/" + percent_encode(id)),
                                      token_, nullptr, "DELETE /api-keys/{id}"},
                                     token_, "API key", id);
    }

private:
    /// The name create_key gives the key for `label`: the key_name prefix, cut to Resend's limit.
    std::string name_for(const std::string& label) const {
        std::string key_name = managed_name(label, key_name_) ? label : key_name_ + "-" + label;
        if (key_name.size() > max_name) {
            key_name.resize(max_name);
        }
        return key_name;
    }

    /// The ids of the listed keys for which `keep` holds.
    result<std::vector<std::string>> list_keys(const std::function<bool(const json::object&)>& keep) {
        // Without `limit` the list comes whole; `has_more` + `after` is followed in case it is paged.
        return provider_http::list_key_ids(
            http_,
            [this](const std::string& after) {
                std::string url = join_url(api_url_, "/api-keys");
                if (!after.empty()) {
                    url += "?after=" + percent_encode(after);
                }
                return provider_http::call{provider, "GET", url, token_, nullptr, "GET /api-keys"};
            },
            token_, {"Resend: GET /api-keys: no `data` array", "Resend: GET /api-keys: a key is not an object"}, keep);
    }

    std::string api_url_;
    std::string key_name_;
    std::string permission_;
    std::string domain_id_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<secret_provider> make_resend_provider(const secret_config& secret, std::string admin_token,
                                                      http_client& http) {
    return std::make_unique<resend_provider>(secret, std::move(admin_token), http);
}

}  // namespace opsbot::adapters
