#pragma once

#include "tests/support/fake_provider_base.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A project API key held by fake_openai. `value` is the secret; `service_account_id` empty = a user's key.
struct fake_openai_key {
    std::string id;  ///< "key_…"
    std::string name;
    std::string value;  ///< "sk-svcacct-…"
    std::string service_account_id;
    bool deleted = false;
};

struct fake_openai_service_account {
    std::string id;  ///< "svc_acct_…"
    std::string name;
    bool deleted = false;  ///< deleted with its keys
};

/// A protocol-faithful OpenAI admin API for one project on loopback (platforms.md §6 [K1][K2][K3], api-specs/
/// openai.json) plus GET /v1/models for key checks. Serves project API keys (list; delete — refused with 400 for a
/// key that belongs to a service account, as the description says) and service accounts (list, create — the
/// answer carries the new account's api_key with its value —, delete, which deletes the account's keys too; and a
/// new key for an account). Admin endpoints need the admin key (401 invalid_api_key otherwise; a project key gets
/// 403 insufficient permissions); /v1/models takes any live project key. Errors are
/// {"error":{"message","type","param","code"}}. Lists are cursor pages ({object, data, first_id, last_id,
/// has_more}, `after`, `limit`). Calls are recorded: "list" (either GET list), "create" (either POST), "verify"
/// (GET /models), "revoke" (either DELETE).
class fake_openai : public fake_provider_base {
public:
    struct options {
        std::string admin_key = "sk-admin-TestAdminKey000000000000";
        std::string project_id = "proj_abc";
        int page_size = 20;  ///< default `limit` of the key list
    };

    fake_openai();
    explicit fake_openai(options o);
    ~fake_openai();

    /// "http://127.0.0.1:PORT/v1": the secret's provider.api_url.
    std::string base_url() const;
    const options& settings() const { return options_; }

    /// Seeds a service account; returns its id.
    std::string add_service_account(const std::string& name);
    /// Seeds a key owned by that service account ("" = owned by a user); returns its id.
    std::string add_key(const std::string& service_account_id, const std::string& name = "Secret Key");
    std::vector<fake_openai_key> keys() const;
    std::optional<fake_openai_key> key(const std::string& id) const;
    std::vector<fake_openai_service_account> service_accounts() const;

private:
    sim::response handle(const sim::request& r);
    sim::response error(int status, std::string type, std::string code, std::string message,
                        const std::string& bearer) const;
    sim::response list_keys(const sim::request& r);
    sim::response list_accounts(const sim::request& r);
    sim::response delete_account(const std::string& id);
    /// The `limit` of a list request (clamped to page_size), or nullopt when it is not a number.
    std::optional<size_t> page_limit(const sim::request& r) const;
    /// One cursor page ({object, data, first_id, last_id, has_more}) of `items` (each with an "id"), per the
    /// request's `limit` and `after`; recorded as a "list" call.
    sim::response list_page(const sim::request& r, std::vector<boost::json::object> items);
    sim::response create_service_account(const sim::request& r);
    sim::response create_key(const std::string& service_account_id, const sim::request& r);
    sim::response delete_key(const std::string& id);
    fake_openai_key& new_key_locked(const std::string& service_account_id, const std::string& name);

    options options_;
    std::vector<fake_openai_key> keys_;
    std::vector<fake_openai_service_account> accounts_;
    int next_id_ = 1;
};

}  // namespace opsbot::testing
