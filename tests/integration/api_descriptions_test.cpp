// The REST adapters against the providers' published OpenAPI descriptions (tests/api_specs/; issue 16 item 4):
// each adapter operation is driven against its fake through a recording HTTP client; every request it sent
// (method, path, query parameters, JSON body fields) must exist in the description, and every answer the fake gave
// must hold only fields the description declares ("the fakes answer only what the descriptions allow"), refusals
// included.
// The fields each adapter READS are listed below, next to the parser they come from, and checked against the
// response schemas: a parser reading a field the provider never sends fails here.
#include "adapters/betterstack.hpp"
#include "adapters/github.hpp"
#include "adapters/secret_provider.hpp"
#include "adapters/sentry.hpp"
#include "adapters/vercel.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/fake_github.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/fake_resend.hpp"
#include "tests/support/fake_sentry.hpp"
#include "tests/support/fake_vercel.hpp"
#include "tests/support/openapi_spec.hpp"
#include "tests/support/recording_http.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace opsbot;
using namespace opsbot::adapters;
using namespace opsbot::testing;
namespace json = boost::json;

namespace {

std::string lines(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) {
        out += e + "\n";
    }
    return out;
}

/// Where an adapter knowingly departs from a description: the exact checker message and the source that justifies it.
struct exception_note {
    std::string message;
    std::string source;
};

/// An answer whose operation the description knows without a response schema, checked against a sibling's.
struct answer_alias {
    std::string operation;  ///< "GET /v7/deployments"
    std::string schema_of;  ///< "/v6/deployments" (same method)
};

/// `errors` without those the exceptions name.
std::string unexcused(const std::vector<std::string>& errors, const std::vector<exception_note>& exceptions) {
    std::vector<std::string> left;
    for (const auto& e : errors) {
        if (std::none_of(exceptions.begin(), exceptions.end(), [&](const auto& x) { return x.message == e; })) {
            left.push_back(e);
        }
    }
    return lines(left);
}

/// Checks every recorded exchange against `provider`'s description; returns how many were checked.
size_t check_all(const recording_http& http, std::string_view provider,
                 const std::vector<exception_note>& exceptions = {},
                 const std::vector<answer_alias>& aliases = {}) {
    const auto& spec = published_openapi(provider);
    const auto seen = http.seen();
    for (const auto& x : seen) {
        const auto url = boost::urls::parse_uri(x.url);
        REQUIRE(url);
        std::map<std::string, std::string> query;
        for (const auto& p : url->params()) {
            query[p.key] = p.value;
        }
        std::optional<json::value> body;
        if (!x.body.empty()) {
            body = json::parse(x.body);
        }
        INFO(x.method << " " << x.url << "\nrequest body: " << x.body << "\nanswer " << x.status << ": " << x.answer);
        CHECK(unexcused(spec.check_request(x.method, url->path(), query, body ? &*body : nullptr), exceptions) == "");
        // A refusal is checked where the description gives its status a body; many leave 401/403 undescribed.
        const bool described =
            (x.status >= 200 && x.status < 300) || spec.describes_answer(x.method, url->path(), x.status);
        if (x.status != 0 && !x.answer.empty() && described) {
            const auto path = spec.match_path(url->path()).value_or(std::string(url->path()));
            const auto alias = std::find_if(aliases.begin(), aliases.end(),
                                            [&](const auto& a) { return a.operation == x.method + " " + path; });
            const auto answer = json::parse(x.answer);
            CHECK(unexcused(alias == aliases.end() ? spec.check_response(x.method, url->path(), x.status, answer)
                                                   : spec.check_answer(x.method, alias->schema_of, x.status, answer),
                            exceptions) == "");
        }
    }
    return seen.size();
}

std::set<std::string> operations_seen(const recording_http& http, std::string_view provider) {
    std::set<std::string> out;
    for (const auto& x : http.seen()) {
        const auto url = boost::urls::parse_uri(x.url);
        const auto path = published_openapi(provider).match_path(url->path());
        out.insert(x.method + " " + path.value_or(std::string(url->path())));
    }
    return out;
}

secret_config secret_with(secret_generator generate, std::map<std::string, std::string> provider) {
    secret_config s;
    s.generate = generate;
    s.name = "KEY";
    s.provider = std::move(provider);
    return s;
}

}  // namespace

TEST_CASE("api descriptions: the checker refuses what the descriptions do not declare", "[api-spec]") {
    const auto& vercel = published_openapi("vercel");
    CHECK(vercel.match_path("/v13/deployments/dpl_1") == "/v13/deployments/{idOrUrl}");
    CHECK_FALSE(vercel.check_request("GET", "/v99/deployments", {}, nullptr).empty());
    CHECK_FALSE(vercel.check_request("PATCH", "/v13/deployments/dpl_1", {}, nullptr).empty());
    CHECK_FALSE(vercel.check_request("GET", "/v13/deployments/dpl_1", {{"shiny", "1"}}, nullptr).empty());
    const json::value body = json::object{{"name", "web"}, {"colour", "red"}};
    CHECK(lines(vercel.check_request("POST", "/v13/deployments", {}, &body)).find("colour") != std::string::npos);
    const json::value answer = json::object{{"id", "dpl_1"}, {"colour", "red"}};
    CHECK(lines(vercel.check_response("GET", "/v13/deployments/dpl_1", 200, answer)).find("colour: not declared") !=
          std::string::npos);
    CHECK_FALSE(vercel.check_read_fields("GET", "/v13/deployments/{idOrUrl}", 200, {"meta.nothing[].here", "uidd"})
                    .empty());
    CHECK(vercel.check_read_fields("GET", "/v13/deployments/{idOrUrl}", 200, {"id", "readyState"}).empty());
    // One misspelt field read from each provider's answer is caught.
    CHECK(vercel.check_read_fields("GET", "/v13/deployments/{idOrUrl}", 200, {"uidd"}).size() == 1);
    CHECK(vercel.check_read_fields("GET", "/v6/deployments", 200, {"deployments[].isRollbackCandidat"}).size() == 1);
    CHECK(published_openapi("sentry")
              .check_read_fields("GET", "/api/0/organizations/{organization_id_or_slug}/issues/", 200, {"[].shortID"})
              .size() == 1);
    CHECK(published_openapi("github")
              .check_read_fields("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", 200, {"check_runs[].sha"})
              .size() == 1);
    CHECK(published_openapi("betterstack")
              .check_read_fields("GET", "/api/v2/monitors", 200, {"data[].attributes.name"})
              .size() == 1);
    CHECK(published_openapi("openai")
              .check_read_fields("GET", "/organization/projects/{project_id}/service_accounts", 200, {"hasMore"})
              .size() == 1);
    CHECK(published_openapi("resend").check_read_fields("GET", "/api-keys", 200, {"data[].token"}).size() == 1);
    CHECK(published_openapi("posthog").check_read_fields("PATCH", "/api/projects/{id}/reset_token/", 200, {"token"})
              .size() == 1);
    const json::value wrong_type = json::object{{"id", 42}};
    CHECK_FALSE(vercel.check_response("GET", "/v13/deployments/dpl_1", 200, wrong_type).empty());
}

TEST_CASE("api descriptions: Vercel requests and the fake's answers are in the description", "[api-spec][vercel]") {
    fake_vercel fake;
    fake_vercel_deployment live;
    live.uid = "dpl_Live5";
    live.created = 1764150000000;
    live.ready_substate = "PROMOTED";
    live.sha = "sha-live";
    fake_vercel_deployment previous = live;
    previous.uid = "dpl_Prev2";
    previous.created = 1764140000000;
    previous.ready_substate = "";
    previous.sha = "sha-prev";
    fake.add_deployment(live);
    fake.add_deployment(previous);
    service_config service;
    service.name = "web";
    service.platform = platform_kind::vercel;
    service.api_url = fake.base_url();
    service.project_id = fake.settings().project_id;
    service.team_id = fake.settings().team_id;
    recording_http http;
    auto vercel = make_vercel_platform(service, fake.settings().token, http);

    REQUIRE(vercel->list_production_deployments(5));
    REQUIRE(vercel->get_deployment("dpl_Live5"));
    REQUIRE(vercel->current_production());
    REQUIRE(vercel->live("production"));
    REQUIRE(vercel->recent("production", 3));
    REQUIRE(vercel->upsert_env("API_KEY", "v1", "encrypted", {"production"}));
    REQUIRE(vercel->list_env("production"));
    REQUIRE(vercel->variable_names("production"));
    REQUIRE(vercel->request_rollback("dpl_Prev2"));
    REQUIRE(vercel->alias_job_status());
    REQUIRE(vercel->redeploy("dpl_Live5", "web", "production", false));
    const auto promote = vercel->request_promote("dpl_Live5");
    auto refused = make_vercel_platform(service, "not-the-token", http);
    REQUIRE_FALSE(refused->get_deployment("dpl_Live5"));
    // The refusal's status is one the description lists (it gives error statuses no body schema).
    CHECK(published_openapi("vercel").lists_status("GET", "/v13/deployments/dpl_Live5", 403));
    CHECK_FALSE(published_openapi("vercel").describes_answer("GET", "/v13/deployments/dpl_Live5", 403));
    INFO((promote ? std::string("promote accepted") : promote.error().message));

    // The two places the adapter knowingly goes beyond the description, both what Vercel's own CLI sends.
    const std::vector<exception_note> exceptions = {
        {"GET /v9/projects/{idOrName}: query parameter `rollbackInfo` not declared",
         "the CLI polls rollback/promote jobs with ?rollbackInfo=true, which adds lastAliasRequest "
         "(docs/platforms.md §1.3 [V3][V5][V25])"},
        {"POST /v10/projects/{projectId}/promote/{deploymentId}: sends a JSON body the operation does not take",
         "the CLI sends the body {} (\"required\"), an object with no field (docs/platforms.md §1.3 [V1][V2])"},
    };
    // GET /v7/deployments is in the SDK head only (no schema): its answers are checked against GET /v6/deployments,
    // the list operation the OpenAPI paths describe, whose items are the same deployment objects.
    CHECK(check_all(http, "vercel", exceptions, {{"GET /v7/deployments", "/v6/deployments"}}) >= 12);
    const std::set<std::string> expected = {
        "GET /v7/deployments", "GET /v13/deployments/{idOrUrl}", "POST /v10/projects/{idOrName}/env",
        "GET /v10/projects/{idOrName}/env", "POST /v1/projects/{projectId}/rollback/{deploymentId}",
        "GET /v9/projects/{idOrName}", "POST /v13/deployments",
        "POST /v10/projects/{projectId}/promote/{deploymentId}"};
    CHECK(operations_seen(http, "vercel") == expected);
}

TEST_CASE("api descriptions: Sentry requests and the fake's answers are in the description", "[api-spec][sentry]") {
    fake_sentry fake;
    std::vector<fake_sentry_issue> issues;
    for (int i = 1; i <= 3; ++i) {
        fake_sentry_issue issue;
        issue.id = std::to_string(100 + i);
        issue.short_id = "API-" + issue.id;
        issue.title = "TypeError " + issue.id;
        issue.culprit = "worker";
        issue.first_seen = "2026-11-26T10:0" + std::to_string(i) + ":00Z";
        issue.last_seen = issue.first_seen;
        issues.push_back(issue);
    }
    fake.set_issues(issues);
    fake.set_page_size(2);  // two pages: the cursor is followed
    sentry_config config;
    config.api_url = fake.api_url();
    config.token_env = "SENTRY_API_TOKEN";
    config.org = "acme";
    config.project = "2";
    recording_http http;
    auto sentry = make_sentry_issues(config, fake.token(), http);
    const auto since = std::chrono::system_clock::time_point(std::chrono::seconds(1764150000));
    REQUIRE(sentry->new_issues_since(since, "production"));
    REQUIRE_FALSE(make_sentry_issues(config, "sntrys_wrong", http)->new_issues_since(since, "production"));
    CHECK(published_openapi("sentry").lists_status("GET", "/api/0/organizations/acme/issues/", 401));
    CHECK(check_all(http, "sentry") >= 2);
    CHECK(operations_seen(http, "sentry") ==
          std::set<std::string>{"GET /api/0/organizations/{organization_id_or_slug}/issues/"});
}

TEST_CASE("api descriptions: GitHub requests and the fake's answers are in the description", "[api-spec][github]") {
    fake_github fake;
    fake.set_head("main", "6dcb09b5b57875f334f61aebed695e2e4193db5e");
    fake.set_check_runs({{"build", "completed", "success", "https://github.com/acme/app/runs/1"},
                         {"test", "in_progress", std::nullopt, "https://github.com/acme/app/runs/2"},
                         {"lint", "completed", "failure", "https://github.com/acme/app/runs/3"}});
    fake.set_statuses({{"ci/legacy", "success", "https://ci.example/1", "ok"}});
    fake.set_page_size(2);
    github_config config;
    config.api_url = fake.api_url();
    config.token_env = "GITHUB_TOKEN";
    config.repo = "acme/app";
    recording_http http;
    auto ci = make_github_ci(config, fake.token(), http);
    REQUIRE(ci->branch_status("main"));
    REQUIRE_FALSE(make_github_ci(config, "ghp_wrong", http)->branch_status("main"));
    CHECK(check_all(http, "github") >= 3);
    CHECK(operations_seen(http, "github") == std::set<std::string>{"GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
                                                                   "GET /repos/{owner}/{repo}/commits/{ref}/status"});
}

TEST_CASE("api descriptions: Better Stack requests and the fake's answers are in the description",
          "[api-spec][betterstack]") {
    fake_betterstack fake;
    fake.set_monitors({{"1", "api", "https://api.example/health", "up", "2026-11-26T10:00:00.000Z"},
                       {"2", "web", "https://web.example/", "down", "2026-11-26T10:00:00.000Z"},
                       {"3", "jobs", "https://jobs.example/", "paused", "2026-11-26T10:00:00.000Z"}});
    fake.set_page_size(2);
    betterstack_config config;
    config.api_url = fake.api_url();
    config.token_env = "BETTERSTACK_TOKEN";
    recording_http http;
    auto uptime = make_betterstack_monitors(config, fake.token(), http);
    REQUIRE(uptime->monitors());
    REQUIRE_FALSE(make_betterstack_monitors(config, "bs_wrong", http)->monitors());
    CHECK(check_all(http, "betterstack") == 3);
    CHECK(operations_seen(http, "betterstack") == std::set<std::string>{"GET /api/v2/monitors"});
}

TEST_CASE("api descriptions: OpenAI requests and the fake's answers are in the description", "[api-spec][openai]") {
    fake_openai fake;
    fake.add_service_account("ci");
    recording_http http;
    auto provider = make_openai_provider(
        secret_with(secret_generator::openai,
                    {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        fake.settings().admin_key, http);
    REQUIRE(provider->existing_key_ids());
    const auto key = provider->create_key("opsbot-20261127-101500");
    REQUIRE(key);
    REQUIRE(provider->verify_key(key->value));
    REQUIRE(provider->cleanup_unused("opsbot-20261127-101500", key->id));
    REQUIRE(provider->revoke_key(key->id));
    const auto wrong = make_openai_provider(
        secret_with(secret_generator::openai,
                    {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        "sk-admin-WrongKey1234567890", http);
    REQUIRE_FALSE(wrong->existing_key_ids());
    CHECK(check_all(http, "openai") >= 6);
}

TEST_CASE("api descriptions: Resend requests and the fake's answers are in the description", "[api-spec][resend]") {
    fake_resend fake;
    fake.add_key("opsbot-20261120-090000");
    recording_http http;
    auto provider = make_resend_provider(secret_with(secret_generator::resend, {{"api_url", fake.base_url()}}),
                                         fake.settings().admin_token, http);
    REQUIRE(provider->existing_key_ids());
    const auto key = provider->create_key("opsbot-20261127-101500");
    REQUIRE(key);
    const auto verified = provider->verify_key(key->value);
    INFO((verified ? std::string("verified") : verified.error().message));
    REQUIRE(provider->cleanup_unused("opsbot-20261127-101500", key->id));
    REQUIRE(provider->revoke_key(key->id));
    const auto wrong = make_resend_provider(secret_with(secret_generator::resend, {{"api_url", fake.base_url()}}),
                                            "re_WrongToken", http);
    REQUIRE_FALSE(wrong->existing_key_ids());
    CHECK(check_all(http, "resend") >= 5);
}

TEST_CASE("api descriptions: PostHog requests and the fake's answers are in the description", "[api-spec][posthog]") {
    fake_posthog fake;
    recording_http http;
    auto provider = make_posthog_provider(
        secret_with(secret_generator::posthog,
                    {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        fake.settings().personal_key, http);
    REQUIRE(provider->create_key("opsbot-20261127-101500"));
    const auto wrong = make_posthog_provider(
        secret_with(secret_generator::posthog,
                    {{"api_url", fake.base_url()}, {"project_id", fake.settings().project_id}}),
        "phx_Wrong", http);
    REQUIRE_FALSE(wrong->create_key("opsbot-20261127-101501"));
    CHECK(check_all(http, "posthog") == 2);
    CHECK(operations_seen(http, "posthog") == std::set<std::string>{"PATCH /api/projects/{id}/reset_token/"});
}

// The fields each adapter's parser reads (adapters/<provider>*.cpp; keep these lists next to a change of a parser),
// per operation and answer status. "[]" steps into an array.
TEST_CASE("api descriptions: every response field the adapters read is declared", "[api-spec]") {
    struct reads {
        std::string provider;
        std::string method;
        std::string path;
        int status;
        std::vector<std::string> fields;
    };
    const std::vector<reads> all = {
        // adapters/vercel.cpp parse_deployment (list items: uid/state/created; single read: id/readyState/createdAt)
        // and the list's pagination. GET /v7/deployments has no schema (SDK head only): its sibling /v6's is used.
        {"vercel", "GET", "/v6/deployments", 200,
         {"deployments[].uid", "deployments[].name", "deployments[].url", "deployments[].state",
          "deployments[].readySubstate", "deployments[].created", "deployments[].target",
          "deployments[].meta.githubCommitSha", "deployments[].meta.githubCommitRef",
          "deployments[].isRollbackCandidate", "pagination.next"}},
        {"vercel", "GET", "/v13/deployments/{idOrUrl}", 200,
         {"id", "name", "url", "readyState", "readySubstate", "createdAt", "target", "meta.githubCommitSha",
          "meta.githubCommitRef"}},
        {"vercel", "POST", "/v13/deployments", 200, {"id"}},
        {"vercel", "GET", "/v9/projects/{idOrName}", 200,
         {"lastAliasRequest.fromDeploymentId", "lastAliasRequest.toDeploymentId", "lastAliasRequest.jobStatus",
          "lastAliasRequest.type"}},
        {"vercel", "POST", "/v10/projects/{idOrName}/env", 201, {"failed[].error.code", "failed[].error.message"}},
        // adapters/vercel_env.cpp parse_vercel_env_page
        {"vercel", "GET", "/v10/projects/{idOrName}/env", 200,
         {"envs[].id", "envs[].key", "envs[].type", "envs[].target", "pagination.next"}},
        // adapters/sentry.cpp parse_issue
        {"sentry", "GET", "/api/0/organizations/{organization_id_or_slug}/issues/", 200,
         {"[].id", "[].shortId", "[].title", "[].culprit", "[].permalink", "[].level", "[].status", "[].count",
          "[].userCount", "[].firstSeen", "[].lastSeen"}},
        // adapters/github.cpp: check runs and the combined status
        {"github", "GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", 200,
         {"check_runs[].name", "check_runs[].status", "check_runs[].conclusion", "check_runs[].html_url",
          "check_runs[].details_url", "check_runs[].head_sha"}},
        {"github", "GET", "/repos/{owner}/{repo}/commits/{ref}/status", 200,
         {"state", "sha", "total_count", "statuses[].context", "statuses[].state", "statuses[].target_url"}},
        // adapters/betterstack.cpp
        {"betterstack", "GET", "/api/v2/monitors", 200,
         {"data[].id", "data[].attributes.pronounceable_name", "data[].attributes.url", "data[].attributes.status",
          "data[].attributes.last_checked_at", "pagination.next"}},
        // adapters/openai_provider.cpp and provider_http.cpp list_key_ids
        {"openai", "GET", "/organization/projects/{project_id}/service_accounts", 200,
         {"data[].id", "data[].name", "has_more"}},
        {"openai", "POST", "/organization/projects/{project_id}/service_accounts", 200, {"id", "api_key.value"}},
        // adapters/resend_provider.cpp and provider_http.cpp list_key_ids
        {"resend", "GET", "/api-keys", 200, {"data[].id", "data[].name", "has_more"}},
        {"resend", "POST", "/api-keys", 201, {"id", "token"}},
        // adapters/posthog_provider.cpp
        {"posthog", "PATCH", "/api/projects/{id}/reset_token/", 200, {"api_token"}},
    };
    for (const auto& r : all) {
        INFO(r.provider << " " << r.method << " " << r.path);
        CHECK(lines(published_openapi(r.provider).check_read_fields(r.method, r.path, r.status, r.fields)) == "");
    }
}
