// The secret providers (Resend, OpenAI, PostHog) against protocol-faithful fakes over loopback (docs/platforms.md §6, §7).
#include "adapters/secret_provider.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/fake_resend.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_key_call;
using opsbot::testing::fake_openai;
using opsbot::testing::fake_posthog;
using opsbot::testing::fake_resend;

namespace {

/// An HTTP client whose waits between attempts are recorded instead of slept.
struct client {
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;
    std::unique_ptr<http_client> http;

    client() {
        http_options o;
        o.request_timeout = std::chrono::seconds(5);
        o.max_attempts = 2;
        o.sleep = [this](std::chrono::milliseconds d) {
            std::lock_guard lock(mutex);
            waits.push_back(d);
        };
        http = make_http_client(o);
    }
    size_t wait_count() {
        std::lock_guard lock(mutex);
        return waits.size();
    }
};

secret_config secret_with(std::string generate, std::map<std::string, std::string> provider) {
    secret_config s;
    s.generate = opsbot::parse_generator(generate).value();
    s.name = s.generate == secret_generator::resend   ? "RESEND_API_KEY"
             : s.generate == secret_generator::openai ? "OPENAI_API_KEY"
                                                      : "POSTHOG_API_KEY";
    s.provider = std::move(provider);
    return s;
}

std::optional<fake_key_call> first_call(const std::vector<fake_key_call>& calls, const std::string& kind) {
    const auto it = std::find_if(calls.begin(), calls.end(), [&](const auto& c) { return c.kind == kind; });
    return it == calls.end() ? std::nullopt : std::optional(*it);
}

}  // namespace

// ---------------------------------------------------------------------------------------------- Resend

TEST_CASE("resend: lists only opsbot keys, creates, verifies with the new key, revokes idempotently", "[secrets]") {
    fake_resend fake;
    client c;
    const auto old_key = fake.add_key("opsbot-20261120-090000");
    const auto unrelated = fake.add_key("marketing-site");
    fake.add_key("opsbotics");  // same prefix, not ours
    auto provider = make_resend_provider(secret_with("resend", {{"api_url", fake.base_url()}}),
                                         fake.settings().admin_token, *c.http);
    CHECK(provider->name() == "resend");
    CHECK_FALSE(provider->create_revokes_old());

    auto ids = provider->existing_key_ids();
    REQUIRE(ids);
    CHECK(*ids == std::vector<std::string>{old_key});

    auto key = provider->create_key("opsbot-20261127-101500");
    REQUIRE(key);
    const auto made = fake.key(key->id);
    REQUIRE(made);
    CHECK(made->token == key->value);
    CHECK(made->name == "opsbot-20261127-101500");
    CHECK(made->permission == "sending_access");  // the default
    const auto post = fake.requests().back();
    CHECK(post.method == "POST");
    CHECK(post.header("Authorization") == "Bearer " + fake.settings().admin_token);
    CHECK(boost::json::parse(post.body).as_object().at("permission") == "sending_access");
    CHECK_FALSE(boost::json::parse(post.body).as_object().contains("domain_id"));

    // A later rotation by this same process (a retry, /incident secret-leaked after /rotate) lists the key made
    // now: by then it is the old key to revoke (secret.revoke skips only its own run's new key).
    CHECK(*provider->existing_key_ids() == std::vector<std::string>{old_key, key->id});

    // A sending_access key may not list keys: Resend's 401 restricted_api_key still proves it is live.
    REQUIRE(provider->verify_key(key->value));
    CHECK(fake.requests().back().header("Authorization") == "Bearer " + key->value);
    auto bogus = provider->verify_key("re_NotAKeyAtAll_123456");
    REQUIRE_FALSE(bogus);
    CHECK(bogus.error().kind == error_kind::auth);

    REQUIRE(provider->revoke_key(old_key));
    CHECK(fake.key(old_key)->revoked);
    CHECK_FALSE(fake.key(unrelated)->revoked);
    REQUIRE(provider->revoke_key(old_key));  // already gone: 404 is success
    CHECK(fake.requests().back().path == "/api-keys/" + old_key);

    const auto calls = fake.calls();
    const auto created = first_call(calls, "create");
    const auto verified = first_call(calls, "verify");
    const auto revoked = first_call(calls, "revoke");
    REQUIRE((created && verified && revoked));
    CHECK(verified->key_id == key->id);
    CHECK(created->seq < verified->seq);
    CHECK(verified->seq < revoked->seq);
    CHECK(std::count_if(calls.begin(), calls.end(), [](const auto& x) { return x.kind == "revoke"; }) == 2);
}

TEST_CASE("resend: permission, domain and key_name come from the config, names are cut to 50", "[secrets]") {
    fake_resend fake;
    client c;
    auto provider = make_resend_provider(secret_with("resend", {{"api_url", fake.base_url()},
                                                                {"key_name", "bot"},
                                                                {"permission", "full_access"},
                                                                {"domain_id", "d91cd9bd-1176-453e-8fc1-35364d380206"}}),
                                         fake.settings().admin_token, *c.http);
    const auto ours = fake.add_key("bot-1");
    fake.add_key("opsbot-1");
    CHECK(*provider->existing_key_ids() == std::vector<std::string>{ours});
    auto key = provider->create_key(std::string(80, 'x'));
    REQUIRE(key);
    const auto made = fake.key(key->id);
    CHECK(made->name.size() == 50);
    CHECK(made->name.starts_with("bot-xxx"));
    CHECK(made->permission == "full_access");
    CHECK(made->domain_id == "d91cd9bd-1176-453e-8fc1-35364d380206");
    REQUIRE(provider->verify_key(key->value));  // a full_access key lists keys: 200
    CHECK(fake.calls().back().status == 200);
}

TEST_CASE("resend: errors are mapped and never carry a key value", "[secrets]") {
    fake_resend fake;
    fake.echo_secrets_in_errors();
    client c;
    const auto secret = secret_with("resend", {{"api_url", fake.base_url()}});

    auto wrong = make_resend_provider(secret, "re_WrongAdminToken_999999", *c.http);
    auto refused = wrong->existing_key_ids();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::auth);
    CHECK(refused.error().http_status == 403);
    CHECK(refused.error().message.starts_with("Resend: "));
    CHECK(refused.error().message.find("re_WrongAdminToken_999999") == std::string::npos);
    CHECK(fake.requests().back().body.empty());

    auto provider = make_resend_provider(secret, fake.settings().admin_token, *c.http);
    auto key = provider->create_key("opsbot-a");
    REQUIRE(key);
    // The fake echoes the presented key in its error body; the message must not repeat it.
    fake.fail_next("verify", 403);
    auto failed_verify = provider->verify_key(key->value);
    REQUIRE_FALSE(failed_verify);
    CHECK(failed_verify.error().kind == error_kind::auth);
    CHECK(failed_verify.error().message.find(key->value) == std::string::npos);
    fake.fail_next("revoke", 400);
    auto failed_revoke = provider->revoke_key(key->id);
    REQUIRE_FALSE(failed_revoke);
    CHECK(failed_revoke.error().kind == error_kind::http_status);
    CHECK(failed_revoke.error().message.find(fake.settings().admin_token) == std::string::npos);
    CHECK_FALSE(fake.key(key->id)->revoked);

    // A create answered 500 may have made a key: it is not repeated (unknown outcome), whatever max_attempts says.
    fake.fail_next("create", 500);
    const auto waits_before = c.wait_count();
    auto gave_up = provider->create_key("opsbot-c");
    REQUIRE_FALSE(gave_up);
    CHECK(gave_up.error().kind == error_kind::unknown_outcome);
    CHECK(gave_up.error().http_status == 500);
    CHECK(c.wait_count() == waits_before);
    const auto calls = fake.calls();
    CHECK(std::count_if(calls.begin(), calls.end(), [](const auto& x) { return x.kind == "create"; }) == 2);
    // A revoke (DELETE) may be repeated: a second DELETE of the same key ends the same way.
    fake.fail_next("revoke", 500);
    REQUIRE(provider->revoke_key(key->id));
    CHECK(fake.key(key->id)->revoked);
    fake.fail_next("list", 429, 2);
    auto limited = provider->existing_key_ids();
    REQUIRE_FALSE(limited);
    CHECK(limited.error().kind == error_kind::rate_limited);

    fake.knobs().malformed_next();
    auto malformed = provider->create_key("opsbot-d");
    REQUIRE_FALSE(malformed);
    CHECK(malformed.error().kind == error_kind::bad_response);
    CHECK(malformed.error().message.starts_with("Resend: "));
    fake.knobs().fail_next(201, R"({"id":"only-an-id"})");
    CHECK(provider->create_key("opsbot-e").error().kind == error_kind::bad_response);
}

// ---------------------------------------------------------------------------------------------- OpenAI

TEST_CASE("openai: rotation makes a new service account with its key and deletes the old account", "[secrets]") {
    fake_openai::options o;
    o.page_size = 2;  // the list spans several pages
    fake_openai fake(o);
    client c;
    const auto configured = fake.add_service_account("app-backend");  // made before opsbot managed the key
    const auto ci = fake.add_service_account("ci");
    const auto previous = fake.add_service_account("opsbot-20261120-090000");
    fake.add_key("");  // a user's key
    const auto configured_key = fake.add_key(configured);
    const auto ci_key = fake.add_key(ci);
    const auto previous_key = fake.add_key(previous);
    auto provider = make_openai_provider(secret_with("openai", {{"api_url", fake.base_url()},
                                                                {"project_id", fake.settings().project_id},
                                                                {"service_account_id", configured}}),
                                         fake.settings().admin_key, *c.http);
    CHECK(provider->name() == "openai");
    CHECK(provider->id_noun() == "service account");

    // The accounts to delete once the new key works: the configured one and opsbot's earlier one; never "ci".
    auto ids = provider->existing_key_ids();
    REQUIRE(ids);
    CHECK(*ids == std::vector<std::string>{configured, previous});
    const auto requests = fake.requests();
    CHECK(std::all_of(requests.begin(), requests.end(), [](const auto& r) {
        return r.method == "GET" && r.path == "/v1/organization/projects/proj_abc/service_accounts";
    }));
    CHECK(std::count_if(requests.begin(), requests.end(), [](const auto& r) { return r.query.contains("after"); }) ==
          1);

    auto key = provider->create_key("opsbot-20261127-101500");
    REQUIRE(key);
    CHECK(key->value.starts_with("sk-svcacct-"));
    CHECK(fake.requests().back().method == "POST");
    CHECK(fake.requests().back().path == "/v1/organization/projects/proj_abc/service_accounts");
    const auto accounts = fake.service_accounts();
    REQUIRE(accounts.size() == 4);
    CHECK(accounts.back().id == key->id);  // the id handed out is the new account's
    CHECK(accounts.back().name == "opsbot-20261127-101500");
    // A later rotation by this process lists the account made now too: it is an old one by then.
    CHECK(*provider->existing_key_ids() == std::vector<std::string>{configured, previous, key->id});

    REQUIRE(provider->verify_key(key->value));
    CHECK(fake.requests().back().path == "/v1/models");
    CHECK(fake.requests().back().header("Authorization") == "Bearer " + key->value);

    // Revoking deletes the old service account, and with it its key; never a key through api_keys.
    REQUIRE(provider->revoke_key(previous));
    CHECK(fake.requests().back().method == "DELETE");
    CHECK(fake.requests().back().path == "/v1/organization/projects/proj_abc/service_accounts/" + previous);
    CHECK(fake.service_accounts()[2].deleted);
    CHECK(fake.key(previous_key)->deleted);
    CHECK_FALSE(fake.key(ci_key)->deleted);
    CHECK_FALSE(fake.key(configured_key)->deleted);
    REQUIRE(provider->revoke_key(previous));  // 404: already gone
    auto dead = provider->verify_key(fake.key(previous_key)->value);
    REQUIRE_FALSE(dead);
    CHECK(dead.error().kind == error_kind::auth);
    for (const auto& r : fake.requests()) {
        CHECK(r.path.find("/api_keys") == std::string::npos);
    }

    const auto calls = fake.calls();
    REQUIRE(first_call(calls, "verify"));
    CHECK(first_call(calls, "create")->seq < first_call(calls, "verify")->seq);
    CHECK(first_call(calls, "verify")->seq < first_call(calls, "revoke")->seq);
}

TEST_CASE("openai fake: deleting a service account's key through api_keys is refused, as the description says",
          "[secrets]") {
    fake_openai fake;
    client c;
    const auto account = fake.add_service_account("opsbot");
    const auto account_key = fake.add_key(account);
    const auto user_key = fake.add_key("");
    auto del = [&](const std::string& key_id) {
        http_request r;
        r.method = "DELETE";
        r.url = fake.base_url() + "/organization/projects/proj_abc/api_keys/" + key_id;
        r.headers.push_back({"Authorization", "Bearer " + fake.settings().admin_key});
        return c.http->send(r);
    };
    auto refused = del(account_key);
    REQUIRE(refused);
    CHECK(refused->status == 400);
    const auto body = boost::json::parse(refused->body).as_object().at("error").as_object();
    CHECK(body.at("type") == "invalid_request_error");
    CHECK(body.contains("param"));
    CHECK(body.contains("code"));
    CHECK(std::string(body.at("message").as_string()).find("service account") != std::string::npos);
    CHECK_FALSE(fake.key(account_key)->deleted);
    auto deleted = del(user_key);
    REQUIRE(deleted);
    CHECK(deleted->status == 200);
    CHECK(boost::json::parse(deleted->body).as_object().at("object") == "organization.project.api_key.deleted");
    CHECK(fake.key(user_key)->deleted);
}

TEST_CASE("openai: a service account create whose connection dropped is not repeated, cleanup deletes the orphan",
          "[secrets][outcome]") {
    fake_openai fake;
    client c;
    const auto earlier = fake.add_service_account("opsbot-20261120-090000");
    const auto ci = fake.add_service_account("ci");
    auto provider = make_openai_provider(
        secret_with("openai", {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        fake.settings().admin_key, *c.http);
    fake.knobs().act_then_drop({"POST", "/service_accounts"});
    auto lost = provider->create_key("opsbot-20261127-101500");
    REQUIRE_FALSE(lost);
    CHECK(lost.error().kind == error_kind::unknown_outcome);
    CHECK(fake.service_accounts().size() == 3);  // OpenAI made it once; the create was not sent again
    const auto orphan = fake.service_accounts().back();
    CHECK(orphan.name == "opsbot-20261127-101500");

    auto cleaned = provider->cleanup_unused("opsbot-20261127-101500", "");
    REQUIRE(cleaned);
    CHECK(*cleaned == std::vector<std::string>{orphan.id});
    const auto after = fake.service_accounts();
    CHECK(after[2].deleted);
    CHECK_FALSE(after[0].deleted);  // an earlier run's account: not this run's to touch
    CHECK(after[0].id == earlier);
    CHECK_FALSE(after[1].deleted);
    CHECK(after[1].id == ci);
    // Nothing left to clean; a kept id is never deleted.
    CHECK(provider->cleanup_unused("opsbot-20261127-101500", "")->empty());
    auto made = provider->create_key("opsbot-20261127-101501");
    REQUIRE(made);
    CHECK(provider->cleanup_unused("opsbot-20261127-101501", made->id)->empty());
    CHECK_FALSE(fake.service_accounts().back().deleted);
}

TEST_CASE("resend: a create answered 502 after Resend made the key is not repeated, cleanup revokes the orphan",
          "[secrets][outcome]") {
    fake_resend fake;
    client c;
    const auto earlier = fake.add_key("opsbot-20261120-090000");
    const auto unrelated = fake.add_key("marketing-site");
    auto provider = make_resend_provider(secret_with("resend", {{"api_url", fake.base_url()}}),
                                         fake.settings().admin_token, *c.http);
    fake.knobs().act_then_fail(502, {"POST", "/api-keys"});
    auto lost = provider->create_key("opsbot-20261127-101500");
    REQUIRE_FALSE(lost);
    CHECK(lost.error().kind == error_kind::unknown_outcome);
    CHECK(lost.error().http_status == 502);
    const auto calls = fake.calls();
    CHECK(std::count_if(calls.begin(), calls.end(), [](const auto& x) { return x.kind == "create"; }) == 1);
    const auto orphan = first_call(calls, "create")->key_id;
    REQUIRE_FALSE(orphan.empty());
    CHECK_FALSE(fake.key(orphan)->revoked);

    auto cleaned = provider->cleanup_unused("opsbot-20261127-101500", "");
    REQUIRE(cleaned);
    CHECK(*cleaned == std::vector<std::string>{orphan});
    CHECK(fake.key(orphan)->revoked);
    CHECK_FALSE(fake.key(earlier)->revoked);
    CHECK_FALSE(fake.key(unrelated)->revoked);
}

TEST_CASE("openai: errors are mapped and never carry a key value", "[secrets]") {
    fake_openai fake;
    fake.echo_secrets_in_errors();
    client c;
    const auto secret = secret_with("openai", {{"api_url", fake.base_url()}, {"project_id", "proj_abc"}});
    auto wrong = make_openai_provider(secret, "sk-admin-WrongKey1234567890", *c.http);
    auto refused = wrong->existing_key_ids();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::auth);
    CHECK(refused.error().message.starts_with("OpenAI: "));
    CHECK(refused.error().message.find("sk-admin-WrongKey1234567890") == std::string::npos);

    auto provider = make_openai_provider(secret, fake.settings().admin_key, *c.http);
    auto key = provider->create_key("opsbot-x");
    REQUIRE(key);
    fake.fail_next("verify", 401);
    auto failed = provider->verify_key(key->value);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().kind == error_kind::auth);
    CHECK(failed.error().message.find(key->value) == std::string::npos);
    // A project key is not an admin key: 403 on the admin API.
    auto as_project = make_openai_provider(secret, key->value, *c.http);
    auto forbidden = as_project->existing_key_ids();
    REQUIRE_FALSE(forbidden);
    CHECK(forbidden.error().kind == error_kind::auth);
    CHECK(forbidden.error().message.find(key->value) == std::string::npos);

    fake.fail_next("create", 503);
    auto unclear = provider->create_key("opsbot-y");  // may have made an account: not repeated
    REQUIRE_FALSE(unclear);
    CHECK(unclear.error().kind == error_kind::unknown_outcome);
    CHECK(unclear.error().http_status == 503);
    fake.fail_next("revoke", 500, 2);
    auto gave_up = provider->revoke_key(key->id);  // a DELETE may be repeated: two attempts, then given up
    REQUIRE_FALSE(gave_up);
    CHECK(gave_up.error().http_status == 500);
    CHECK(gave_up.error().kind == error_kind::http_status);
    CHECK_FALSE(fake.service_accounts().back().deleted);
    fake.knobs().malformed_next();
    CHECK(provider->existing_key_ids().error().kind == error_kind::bad_response);

    auto no_project =
        make_openai_provider(secret_with("openai", {{"api_url", fake.base_url()}}), fake.settings().admin_key, *c.http);
    const auto sent = fake.requests().size();
    CHECK(no_project->create_key("opsbot-z").error().kind == error_kind::invalid_input);
    CHECK(fake.requests().size() == sent);
}

// ---------------------------------------------------------------------------------------------- PostHog

TEST_CASE("posthog: reset_token makes the new key and kills the old one, nothing to verify or revoke", "[secrets]") {
    fake_posthog fake;
    client c;
    auto provider = make_posthog_provider(
        secret_with("posthog", {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        fake.settings().personal_key, *c.http);
    CHECK(provider->name() == "posthog");
    CHECK(provider->create_revokes_old());
    CHECK(provider->existing_key_ids()->empty());
    CHECK(fake.requests().empty());

    auto key = provider->create_key("opsbot-20261127-101500");
    REQUIRE(key);
    CHECK(key->value == fake.current_token());
    CHECK(key->value != fake.settings().initial_token);
    CHECK(key->id.find(key->value) == std::string::npos);
    const auto patch = fake.requests().back();
    CHECK(patch.method == "PATCH");
    CHECK(patch.path == "/api/projects/12345/reset_token/");
    CHECK(patch.header("Authorization") == "Bearer " + fake.settings().personal_key);

    auto verify = provider->verify_key(key->value);
    REQUIRE_FALSE(verify);
    CHECK(verify.error().kind == error_kind::unavailable);
    REQUIRE(provider->revoke_key(key->id));
    CHECK(fake.requests().size() == 1);  // neither verify nor revoke went to the wire
}

TEST_CASE("posthog: errors are mapped and never carry a key value", "[secrets]") {
    fake_posthog fake;
    fake.echo_secrets_in_errors();
    client c;
    const auto secret =
        secret_with("posthog", {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}});
    auto wrong = make_posthog_provider(secret, "phx_WrongPersonalKey_12345", *c.http);
    auto refused = wrong->create_key("opsbot-a");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::auth);
    CHECK(refused.error().message.starts_with("PostHog: "));
    CHECK(refused.error().message.find("authentication_failed") != std::string::npos);
    CHECK(refused.error().message.find("phx_WrongPersonalKey_12345") == std::string::npos);
    CHECK(fake.tokens().size() == 1);

    auto provider = make_posthog_provider(secret, fake.settings().personal_key, *c.http);
    fake.fail_next("create", 500, 2);
    auto gave_up = provider->create_key("opsbot-b");  // a reset answered 500 may have happened: not repeated
    REQUIRE_FALSE(gave_up);
    CHECK(gave_up.error().kind == error_kind::unknown_outcome);
    CHECK(gave_up.error().message.find(fake.settings().personal_key) == std::string::npos);
    CHECK(provider->cleanup_unused("opsbot-b", "")->empty());  // a reset leaves no second key behind
    fake.knobs().malformed_next();
    CHECK(provider->create_key("opsbot-c").error().kind == error_kind::bad_response);
    fake.knobs().fail_next(200, R"({"id": 12345, "name": "no token here"})");
    CHECK(provider->create_key("opsbot-d").error().kind == error_kind::bad_response);

    auto elsewhere =
        make_posthog_provider(secret_with("posthog", {{"api_url", fake.base_url()}, {"project_id", "999"}}),
                              fake.settings().personal_key, *c.http);
    CHECK(elsewhere->create_key("opsbot-e").error().kind == error_kind::not_found);
    CHECK(fake.tokens().size() == 1);  // no reset happened
}
