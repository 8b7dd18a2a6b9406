// PostHog's project API key (`phc_…`) as a secret provider: the token can only be reset (docs/platforms.md §6 [K7]).
#include "adapters/provider_http.hpp"
#include "adapters/secret_provider.hpp"
#include "core/json_fields.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr std::string_view provider = "PostHog";
using provider_http::setting;

class posthog_provider final : public secret_provider {
public:
    posthog_provider(const secret_config& secret, std::string personal_key, http_client& http)
        : api_url_(setting(secret.provider, "api_url", "https://us.posthog.com")),
          project_id_(setting(secret.provider, "project_id", "")),
          token_(std::move(personal_key)),
          http_(http) {}

    std::string name() const override { return "posthog"; }

    // A project has exactly one token and the reset replaces it: nothing is left to revoke.
    result<std::vector<std::string>> existing_key_ids() override { return std::vector<std::string>{}; }

    result<issued_key> create_key(const std::string& label) override {
        if (project_id_.empty()) {
            return fail(error_kind::invalid_input, "PostHog: set provider.project_id for this secret in the config");
        }
        // PATCH with the personal API key; the answer is the project with its new `api_token` (§6 [K7]).
        const json::value payload = json::object{};
        auto body = provider_http::send_json(
            http_,
            {provider, "PATCH", join_url(api_url_, "/api/projects/" + percent_encode(project_id_) + "/reset_token/"),
             token_, &payload, "PATCH /api/projects/{id}/reset_token/"},
            {token_});
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        const std::string value = obj ? json_string(*obj, "api_token") : std::string();
        if (value.empty()) {
            return fail(error_kind::bad_response, "PostHog: PATCH /api/projects/{id}/reset_token/: no `api_token`");
        }
        spdlog::info("PostHog: project {} token reset ({})", project_id_, label);
        // The project token has no id of its own: the project id names it in audits.
        return issued_key{"project-" + project_id_, value};
    }

    // No cheap check exists: the project key only authorises ingestion (/capture, /decide), which would send
    // an event or answer 200 for any token; the plan relies on the health check instead.
    result<void> verify_key(const std::string& /*value*/) override {
        return fail(error_kind::unavailable, "PostHog: a project key cannot be checked without sending an event");
    }

    // The reset already invalidated the old token (create_revokes_old).
    result<void> revoke_key(const std::string& id) override {
        spdlog::debug("PostHog: nothing to revoke for {}: the reset replaced the token", id);
        return {};
    }

    bool create_revokes_old() const override { return true; }

private:
    std::string api_url_;
    std::string project_id_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<secret_provider> make_posthog_provider(const secret_config& secret, std::string admin_token,
                                                       http_client& http) {
    return std::make_unique<posthog_provider>(secret, std::move(admin_token), http);
}

}  // namespace opsbot::adapters
