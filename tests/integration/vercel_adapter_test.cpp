// The Vercel adapter against a protocol-faithful fake over real loopback sockets (docs/platforms.md §1, §7).
#include "adapters/vercel.hpp"
#include "demo/sandbox_platforms.hpp"
#include "tests/support/fake_vercel.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_vercel;
using opsbot::testing::fake_vercel_deployment;

namespace {

constexpr std::int64_t t0 = 1764201600000;

http_options quick_options() {
    http_options o;
    o.request_timeout = std::chrono::seconds(5);
    o.max_attempts = 2;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

service_config service_for(const fake_vercel& fake) {
    service_config s;
    s.name = "web";
    s.platform = opsbot::platform_kind::vercel;
    s.api_url = fake.base_url();
    s.project_id = fake.settings().project_id;
    s.team_id = fake.settings().team_id;
    return s;
}

fake_vercel_deployment dep(std::string uid, std::int64_t minutes, std::string state = "READY",
                           std::string target = "production", std::string substate = "") {
    fake_vercel_deployment d;
    d.uid = std::move(uid);
    d.created = t0 + minutes * 60000;
    d.state = std::move(state);
    d.target = std::move(target);
    d.ready_substate = std::move(substate);
    d.sha = "sha-" + d.uid;
    return d;
}

// Live dpl_Live5; older: ERROR, CANCELED, a preview, then the expected target dpl_Prev2, then dpl_Old1.
void seed(fake_vercel& fake) {
    fake.add_deployment(dep("dpl_Old1", 1));
    fake.add_deployment(dep("dpl_Live5", 5, "READY", "production", "PROMOTED"));
    fake.add_deployment(dep("dpl_Prev2", 2));
    fake.add_deployment(dep("dpl_Err4", 4, "ERROR"));
    fake.add_deployment(dep("dpl_Canc3", 3, "CANCELED"));
    fake.add_deployment(dep("dpl_Prvw3", 3, "READY", ""));
}

struct setup {
    fake_vercel fake;
    std::unique_ptr<http_client> http = make_http_client(quick_options());
    std::unique_ptr<vercel_platform> vercel;

    explicit setup(fake_vercel::options o = {}) : fake(std::move(o)) {
        seed(fake);
        vercel = make_vercel_platform(service_for(fake), fake.settings().token, *http);
    }
};

}  // namespace

TEST_CASE("vercel: lists production deployments newest first and picks the previous READY one", "[vercel]") {
    setup s;
    auto list = s.vercel->list_production_deployments(20);
    REQUIRE(list);
    std::vector<std::string> ids;
    for (const auto& d : *list) {
        ids.push_back(d.id);
    }
    CHECK(ids == std::vector<std::string>{"dpl_Live5", "dpl_Err4", "dpl_Canc3", "dpl_Prev2", "dpl_Old1"});
    CHECK(list->front().commit_sha == "sha-dpl_Live5");
    CHECK(list->front().commit_ref == "main");
    CHECK(list->front().ready_substate == "PROMOTED");
    CHECK(list->front().created_ms == t0 + 5 * 60000);
    CHECK(list->front().is_rollback_candidate);

    auto current = s.vercel->current_production();
    REQUIRE(current);
    CHECK(current->id == "dpl_Live5");

    auto target = pick_vercel_rollback_target(*list, current->id);
    REQUIRE(target);
    CHECK(target->id == "dpl_Prev2");

    const auto calls = s.fake.requests();
    REQUIRE(calls.size() == 2);
    for (const auto& r : calls) {
        CHECK(r.path == "/v7/deployments");
        CHECK(r.query.at("projectId") == "prj_abc");
        CHECK(r.query.at("target") == "production");
        CHECK(r.query.at("teamId") == "team_123");
    }
}

TEST_CASE("vercel: pick skips previews, errors and cancelled builds, honours a named deployment", "[vercel]") {
    const std::vector<vercel_deployment> list{
        {"dpl_L", "web", "", "READY", "PROMOTED", 50, "", "", "production", true},
        {"dpl_P", "web", "", "READY", "", 40, "", "", "", true},  // preview
        {"dpl_E", "web", "", "ERROR", "", 30, "", "", "production", false},
        {"dpl_C", "web", "", "CANCELED", "", 20, "", "", "production", false},
        {"dpl_R", "web", "", "READY", "", 10, "", "", "production", true},
    };
    auto auto_pick = pick_vercel_rollback_target(list, "dpl_L");
    REQUIRE(auto_pick);
    CHECK(auto_pick->id == "dpl_R");

    CHECK(pick_vercel_rollback_target(list, "dpl_L", "dpl_R")->id == "dpl_R");
    CHECK(pick_vercel_rollback_target(list, "dpl_L", "dpl_E").error().kind == error_kind::invalid_input);
    CHECK(pick_vercel_rollback_target(list, "dpl_L", "dpl_P").error().kind == error_kind::invalid_input);
    CHECK(pick_vercel_rollback_target(list, "dpl_L", "dpl_L").error().kind == error_kind::invalid_input);
    const auto missing = pick_vercel_rollback_target(list, "dpl_L", "dpl_Nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == error_kind::not_found);
    CHECK(missing.error().message.find("dpl_Nope") != std::string::npos);
    // Nothing older than the oldest: a clear not_found.
    CHECK(pick_vercel_rollback_target(list, "dpl_R").error().kind == error_kind::not_found);
    // Live unknown in the list.
    CHECK(pick_vercel_rollback_target(list, "dpl_X").error().kind == error_kind::not_found);
}

TEST_CASE("vercel: current production is the PROMOTED one, else the newest READY", "[vercel]") {
    std::vector<vercel_deployment> list{
        {"dpl_N", "web", "", "READY", "", 50, "", "", "production", true},
        {"dpl_O", "web", "", "READY", "PROMOTED", 40, "", "", "production", true},
    };
    CHECK(pick_vercel_current_production(list)->id == "dpl_O");
    list[1].ready_substate.clear();
    CHECK(pick_vercel_current_production(list)->id == "dpl_N");
    list[0].state = "ERROR";
    list[1].state = "BUILDING";
    CHECK(pick_vercel_current_production(list).error().kind == error_kind::not_found);
}

TEST_CASE("vercel: follows pagination.next with until", "[vercel]") {
    fake_vercel::options o;
    o.max_page_size = 4;
    setup s(o);
    for (int i = 10; i < 20; ++i) {
        s.fake.add_deployment(dep("dpl_Bulk" + std::to_string(i), i));
    }
    auto list = s.vercel->list_production_deployments(12);
    REQUIRE(list);
    REQUIRE(list->size() == 12);
    CHECK(list->front().id == "dpl_Bulk19");
    std::set<std::string> unique;
    for (size_t i = 0; i < list->size(); ++i) {
        unique.insert((*list)[i].id);
        if (i > 0) {
            CHECK((*list)[i - 1].created_ms >= (*list)[i].created_ms);
        }
    }
    CHECK(unique.size() == 12);
    const auto calls = s.fake.requests();
    REQUIRE(calls.size() == 3);
    CHECK_FALSE(calls[0].query.contains("until"));
    CHECK(calls[1].query.contains("until"));
    CHECK(calls[2].query.at("limit") == "4");
    for (const auto& r : calls) {
        CHECK(r.query.at("teamId") == "team_123");
    }

    // Fewer than asked for: stops when next is null.
    auto all = s.vercel->list_production_deployments(100);
    REQUIRE(all);
    CHECK(all->size() == 15);
}

TEST_CASE("vercel: get one deployment in the v13 shape, bad ids never reach the wire", "[vercel]") {
    setup s;
    auto d = s.vercel->get_deployment("dpl_Prev2");
    REQUIRE(d);
    CHECK(d->id == "dpl_Prev2");
    CHECK(d->state == "READY");
    CHECK(d->created_ms == t0 + 2 * 60000);
    CHECK(d->commit_sha == "sha-dpl_Prev2");
    CHECK(s.fake.count("GET", "/v13/deployments/dpl_Prev2") == 1);

    auto missing = s.vercel->get_deployment("dpl_Missing");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == error_kind::not_found);
    CHECK(missing.error().message == "Vercel: not_found: Deployment not found");

    auto hostile = s.vercel->get_deployment("../v9/projects/prj_abc");
    REQUIRE_FALSE(hostile);
    CHECK(hostile.error().kind == error_kind::invalid_input);
    CHECK(s.fake.requests().size() == 2);
}

TEST_CASE("vercel: rollback POSTs {} to the documented v1 path and the alias job is polled to success", "[vercel]") {
    setup s;
    REQUIRE(s.vercel->request_rollback("dpl_Prev2"));
    const auto calls = s.fake.requests();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].method == "POST");
    CHECK(calls[0].path == "/v1/projects/prj_abc/rollback/dpl_Prev2");
    CHECK(calls[0].body == "{}");
    CHECK(calls[0].query.at("teamId") == "team_123");
    CHECK(calls[0].header("Authorization") == "Bearer vercel-test-token");

    std::vector<std::string> seen;
    for (int i = 0; i < 10; ++i) {
        auto job = s.vercel->alias_job_status();
        REQUIRE(job);
        REQUIRE(job->present);
        CHECK(job->type == "rollback");
        CHECK(job->to_deployment_id == "dpl_Prev2");
        CHECK(job->from_deployment_id == "dpl_Live5");
        CHECK(job->requested_at_ms > 0);
        seen.push_back(job->job_status);
        if (job->finished()) {
            break;
        }
    }
    CHECK(seen == std::vector<std::string>{"pending", "in-progress", "succeeded"});
    for (const auto& r : s.fake.requests()) {
        CHECK(r.query.at("teamId") == "team_123");
    }
    CHECK(s.fake.count("GET", "/v9/projects/prj_abc") == 3);
    CHECK(s.fake.requests().back().query.at("rollbackInfo") == "true");

    // The aliased deployment is now the older one.
    auto current = s.vercel->current_production();
    REQUIRE(current);
    CHECK(current->id == "dpl_Prev2");
}

TEST_CASE("vercel: promote uses the v10 path, a failed alias job is reported as failed", "[vercel]") {
    setup s;
    auto before = s.vercel->alias_job_status();
    REQUIRE(before);
    CHECK_FALSE(before->present);

    s.fake.fail_next_alias_job();
    REQUIRE(s.vercel->request_promote("dpl_Old1"));
    CHECK(s.fake.count("POST", "/v10/projects/prj_abc/promote/dpl_Old1") == 1);
    std::string last;
    for (int i = 0; i < 10 && last != "failed"; ++i) {
        auto job = s.vercel->alias_job_status();
        REQUIRE(job);
        CHECK(job->type == "promote");
        last = job->job_status;
    }
    CHECK(last == "failed");
    CHECK(s.vercel->current_production()->id == "dpl_Live5");

    // Promoting an ERROR deployment: the API's 400 comes back as an error with the API's words.
    auto bad = s.vercel->request_promote("dpl_Err4");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().http_status == 400);
    CHECK(bad.error().message.find("Vercel: bad_request:") == 0);
}

TEST_CASE("vercel: error bodies are mapped to kinds with the Vercel code and message", "[vercel]") {
    setup s;
    s.fake.knobs().fail_next(409, R"({"error":{"code":"conflict","message":"A rollback is already in progress"}})");
    auto conflict = s.vercel->request_rollback("dpl_Prev2");
    REQUIRE_FALSE(conflict);
    CHECK(conflict.error().kind == error_kind::conflict);
    CHECK(conflict.error().http_status == 409);
    CHECK(conflict.error().message == "Vercel: conflict: A rollback is already in progress");

    s.fake.knobs().fail_next(404, R"({"error":{"code":"not_found","message":"Project not found"}})");
    CHECK(s.vercel->alias_job_status().error().kind == error_kind::not_found);

    s.fake.knobs().fail_next(400, "<html>oops</html>");
    auto opaque = s.vercel->list_production_deployments(5);
    REQUIRE_FALSE(opaque);
    CHECK(opaque.error().kind == error_kind::http_status);
    CHECK(opaque.error().message.find("HTTP 400") != std::string::npos);

    // A wrong token: the fake answers 403 forbidden.
    auto bad_http = make_http_client(quick_options());
    auto wrong = make_vercel_platform(service_for(s.fake), "not-the-token", *bad_http);
    auto denied = wrong->list_production_deployments(5);
    REQUIRE_FALSE(denied);
    CHECK(denied.error().kind == error_kind::auth);
    CHECK(denied.error().message == "Vercel: forbidden: Not authorized");
    CHECK(denied.error().message.find("not-the-token") == std::string::npos);

    // No teamId configured for a team project: also refused.
    auto no_team_config = service_for(s.fake);
    no_team_config.team_id.clear();
    auto no_team = make_vercel_platform(no_team_config, s.fake.settings().token, *bad_http);
    CHECK(no_team->current_production().error().kind == error_kind::auth);
    CHECK_FALSE(s.fake.requests().back().query.contains("teamId"));
}

TEST_CASE("vercel: malformed JSON is a bad_response naming the endpoint", "[vercel]") {
    setup s;
    s.fake.knobs().malformed_next();
    auto list = s.vercel->list_production_deployments(5);
    REQUIRE_FALSE(list);
    CHECK(list.error().kind == error_kind::bad_response);
    CHECK(list.error().message.find("/v7/deployments") != std::string::npos);

    s.fake.knobs().fail_next(200, R"({"deployments": "nope"})");
    auto wrong_shape = s.vercel->list_production_deployments(5);
    REQUIRE_FALSE(wrong_shape);
    CHECK(wrong_shape.error().kind == error_kind::bad_response);
}

TEST_CASE("vercel: redeploy and env upsert send the documented bodies", "[vercel]") {
    setup s;
    auto id = s.vercel->redeploy("dpl_Live5", "web", "production", true);
    REQUIRE(id);
    CHECK(id->starts_with("dpl_"));
    const auto post = s.fake.requests().back();
    CHECK(post.path == "/v13/deployments");
    CHECK(post.query.at("forceNew") == "1");
    CHECK(post.query.at("teamId") == "team_123");
    const auto body = boost::json::parse(post.body).as_object();
    CHECK(body.at("deploymentId") == "dpl_Live5");
    CHECK(body.at("name") == "web");
    CHECK(body.at("target") == "production");
    CHECK(body.at("meta").as_object().at("action") == "redeploy");
    // The rebuild takes the branch's latest commit, not the old deployment's sha (docs/platforms.md §1.4).
    REQUIRE(body.contains("withLatestCommit"));
    CHECK(body.at("withLatestCommit") == true);
    // Without latest_commit (a /rotate redeploy) the old deployment's commit is rebuilt: the flag is not sent.
    auto same = s.vercel->redeploy("dpl_Live5", "web", "production", false);
    REQUIRE(same);
    const auto same_body = boost::json::parse(s.fake.requests().back().body).as_object();
    CHECK(same_body.at("deploymentId") == "dpl_Live5");
    CHECK_FALSE(same_body.contains("withLatestCommit"));
    // The new deployment builds, then becomes READY.
    CHECK(s.vercel->get_deployment(*id)->state == "BUILDING");
    CHECK(s.vercel->get_deployment(*id)->state == "READY");

    REQUIRE(s.vercel->upsert_env("RESEND_API_KEY", "re_secret_value_123", "encrypted", {"production", "preview"}));
    const auto env_post = s.fake.requests().back();
    CHECK(env_post.path == "/v10/projects/prj_abc/env");
    CHECK(env_post.query.at("upsert") == "true");
    const auto env = s.fake.env();
    REQUIRE(env.contains("RESEND_API_KEY"));
    CHECK(env.at("RESEND_API_KEY").value == "re_secret_value_123");
    CHECK(env.at("RESEND_API_KEY").type == "encrypted");
    CHECK(env.at("RESEND_API_KEY").target == std::vector<std::string>{"production", "preview"});

    s.fake.knobs().fail_next(
        201, R"({"created":[],"failed":[{"error":{"code":"ENV_CONFLICT","message":"target clash","key":"X"}}]})");
    auto partial = s.vercel->upsert_env("X", "value-x-123", "plain", {"production"});
    REQUIRE_FALSE(partial);
    CHECK(partial.error().message.find("ENV_CONFLICT") != std::string::npos);
    CHECK(partial.error().message.find("value-x-123") == std::string::npos);
}

TEST_CASE("vercel: list_env returns names, types and targets of one target, never values", "[vercel][env]") {
    setup s;
    s.fake.set_env("DATABASE_URL", "postgres://u:pw-db-secret@db/prod", "production");
    s.fake.set_env("OPENAI_API_KEY", "sk-prod-secret-value-1", "production", "sensitive");
    s.fake.set_env("OPENAI_API_KEY", "sk-preview-secret-value", "preview", "sensitive");
    s.fake.set_env("PREVIEW_ONLY", "preview-secret-value", "preview");
    REQUIRE(s.vercel->upsert_env("RESEND_API_KEY", "re_written_secret_123", "encrypted", {"production"}));

    auto prod = s.vercel->list_env("production");
    REQUIRE(prod);
    std::set<std::string> keys;
    for (const auto& v : *prod) {
        keys.insert(v.key);
        CHECK(v.id.starts_with("env_"));
        CHECK(v.targets == std::vector<std::string>{"production"});
    }
    CHECK(keys == std::set<std::string>{"DATABASE_URL", "OPENAI_API_KEY", "RESEND_API_KEY"});
    const auto openai =
        std::find_if(prod->begin(), prod->end(), [](const auto& v) { return v.key == "OPENAI_API_KEY"; });
    CHECK(openai->type == "sensitive");
    const auto get = s.fake.requests().back();
    CHECK(get.method == "GET");
    CHECK(get.path == "/v10/projects/prj_abc/env");
    // The description has no `target` filter (tests/api_specs/vercel.json): all come back, the adapter picks one.
    CHECK_FALSE(get.query.contains("target"));
    CHECK(get.query.at("teamId") == "team_123");
    CHECK_FALSE(get.query.contains("decrypt"));  // values are not asked for

    auto preview = s.vercel->list_env("preview");
    REQUIRE(preview);
    CHECK(preview->size() == 2);

    s.fake.knobs().fail_next(403, R"({"error":{"code":"forbidden","message":"Not authorized"}})");
    auto refused = s.vercel->list_env("production");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::auth);
    s.fake.knobs().fail_next(200, R"({"envs": {"not": "a list"}})");
    CHECK(s.vercel->list_env("production").error().kind == error_kind::bad_response);
    s.fake.knobs().malformed_next();
    CHECK(s.vercel->list_env("production").error().kind == error_kind::bad_response);
}

TEST_CASE("vercel: list_env sends no undocumented cursor, an answer announcing more pages is refused",
          "[vercel][env]") {
    fake_vercel::options o;
    o.env_page_size = 2;
    setup s(o);
    for (int i = 0; i < 5; ++i) {
        s.fake.set_env("VAR_" + std::to_string(i), "value-" + std::to_string(i), "production");
    }
    auto partial = s.vercel->list_env("production");
    REQUIRE_FALSE(partial);
    CHECK(partial.error().kind == error_kind::unavailable);
    CHECK(partial.error().message.find("pagination.next") != std::string::npos);
    CHECK(partial.error().message.find("dashboard") != std::string::npos);
    // One request, and no `until`: GET /v10/projects/{id}/env documents no such parameter (api-specs/vercel.json).
    CHECK(s.fake.count("GET", "/v10/projects/prj_abc/env") == 1);
    for (const auto& r : s.fake.requests()) {
        CHECK_FALSE(r.query.contains("until"));
    }
}

TEST_CASE("vercel: only documented paths are served: the CLI's v9 rollback and the v6 list are 404", "[vercel]") {
    setup s;
    auto http = make_http_client(quick_options());
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"POST", "/v9/projects/prj_abc/rollback/dpl_Prev2"}, {"GET", "/v6/deployments?projectId=prj_abc"}}) {
        http_request r;
        r.method = method;
        r.url = s.fake.base_url() + path + (path.find('?') == std::string::npos ? "?" : "&") + "teamId=team_123";
        r.headers.push_back({"Authorization", "Bearer vercel-test-token"});
        r.body = method == "POST" ? "{}" : "";
        auto res = http->send(r);
        REQUIRE(res);
        CHECK(res->status == 404);
    }
}

TEST_CASE("vercel: a rollback answered 502 after Vercel started it is sent once: unknown_outcome",
          "[vercel][outcome]") {
    setup s;
    s.fake.knobs().act_then_fail(502, {"POST", "/rollback/"});
    auto started = s.vercel->request_rollback("dpl_Prev2");
    REQUIRE_FALSE(started);
    CHECK(started.error().kind == error_kind::unknown_outcome);
    CHECK(started.error().message.starts_with("Vercel: POST /v1/projects/{id}/rollback/{deployment}: POST http"));
    CHECK(s.fake.count("POST", "/v1/projects/prj_abc/rollback/") == 1);
    // Vercel did start it: the alias job is there to be read.
    auto job = s.vercel->alias_job_status();
    REQUIRE(job);
    CHECK(job->present);
    CHECK(job->to_deployment_id == "dpl_Prev2");
}

TEST_CASE("vercel: an env upsert answered 502 is repeated (upsert=true is idempotent), a redeploy is not",
          "[vercel][outcome]") {
    setup s;
    s.fake.knobs().act_then_fail(502, {"POST", "/env"});
    REQUIRE(s.vercel->upsert_env("RESEND_API_KEY", "re_secret_value_123", "encrypted", {"production"}));
    CHECK(s.fake.written_env_values("RESEND_API_KEY") ==
          std::vector<std::string>{"re_secret_value_123", "re_secret_value_123"});

    const auto before = s.fake.deployments().size();
    s.fake.knobs().act_then_drop({"POST", "/v13/deployments"});
    auto redeployed = s.vercel->redeploy("dpl_Live5", "web", "production", false);
    REQUIRE_FALSE(redeployed);
    CHECK(redeployed.error().kind == error_kind::unknown_outcome);
    CHECK(s.fake.count("POST", "/v13/deployments") == 1);
    CHECK(s.fake.deployments().size() == before + 1);
}

TEST_CASE("vercel: env writes are recorded in order, the failure knobs fail them without storing", "[vercel][env]") {
    setup s;
    REQUIRE(s.vercel->upsert_env("BETTER_AUTH_SECRET", "first-value-123456", "encrypted", {"production", "preview"}));
    REQUIRE(s.vercel->upsert_env("BETTER_AUTH_SECRET", "second-value-123456", "encrypted", {"production"}));
    CHECK(s.fake.written_env_values("BETTER_AUTH_SECRET") ==
          std::vector<std::string>{"first-value-123456", "second-value-123456"});
    CHECK(s.fake.env_value("BETTER_AUTH_SECRET", "production") == "second-value-123456");
    CHECK(s.fake.env_value("BETTER_AUTH_SECRET", "preview") == "first-value-123456");
    const auto writes = s.fake.env_writes();
    REQUIRE(writes.size() == 2);
    CHECK(writes[0].seq < writes[1].seq);
    CHECK(writes[0].upsert);

    s.fake.fail_env_writes();  // 201 with failed[]
    auto partial = s.vercel->upsert_env("BETTER_AUTH_SECRET", "third-value-123456", "encrypted", {"production"});
    REQUIRE_FALSE(partial);
    CHECK(partial.error().message.find("third-value-123456") == std::string::npos);
    s.fake.fail_env_writes(400);
    auto refused = s.vercel->upsert_env("BETTER_AUTH_SECRET", "fourth-value-123456", "encrypted", {"production"});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().http_status == 400);
    CHECK(s.fake.written_env_values("BETTER_AUTH_SECRET").size() == 2);
    CHECK(s.fake.env_value("BETTER_AUTH_SECRET", "production") == "second-value-123456");

    // An error body that echoes the value never puts it in the message.
    s.fake.knobs().fail_next(201, R"({"created":[],"failed":[{"error":{"code":"ENV_CONFLICT",)"
                                  R"("message":"value fifth-value-123456 clashes"}}]})");
    auto echoed = s.vercel->upsert_env("BETTER_AUTH_SECRET", "fifth-value-123456", "encrypted", {"production"});
    REQUIRE_FALSE(echoed);
    CHECK(echoed.error().message.find("ENV_CONFLICT") != std::string::npos);
    CHECK(echoed.error().message.find("fifth-value-123456") == std::string::npos);
}

TEST_CASE("vercel sandbox (demo): rollback finishes after polls and moves production", "[vercel][sandbox]") {
    manual_clock clock;
    auto sandbox = demo::make_sandbox_vercel(clock, 2);
    auto list = sandbox->list_production_deployments(20);
    REQUIRE(list);
    REQUIRE(list->size() == 6);
    CHECK(list->front().id.starts_with("dpl_"));
    CHECK(list->front().id.size() == 32);
    auto current = sandbox->current_production();
    REQUIRE(current);
    auto target = pick_vercel_rollback_target(*list, current->id);
    REQUIRE(target);
    CHECK(target->id == (*list)[2].id);  // (*list)[1] is the sandbox's ERROR build
    REQUIRE(sandbox->request_rollback(target->id));
    CHECK(sandbox->alias_job_status()->job_status == "in-progress");
    auto done = sandbox->alias_job_status();
    REQUIRE(done);
    CHECK(done->job_status == "succeeded");
    CHECK(done->from_deployment_id == current->id);
    CHECK(sandbox->current_production()->id == target->id);
}

/// Reads the deployment as a step does: the fake's build is READY after `build_polls` reads.
bool polled_to_ready(vercel_platform& vercel, const std::string& id) {
    for (int poll = 0; poll < 10; ++poll) {
        auto d = vercel.get_deployment(id);
        if (d && d->ready()) {
            return true;
        }
    }
    return false;
}

TEST_CASE("vercel: an instant rollback serves the target's old environment, a rebuild takes the current one",
          "[vercel]") {
    setup s;
    s.fake.set_env("SESSION_SECRET", "old-value-0001", "production");  // every build so far has it
    REQUIRE(s.vercel->upsert_env("SESSION_SECRET", "new-value-0002", "encrypted", {"production"}));
    auto rebuilt = s.vercel->redeploy("dpl_Live5", "web", "production", false);
    REQUIRE(rebuilt);
    REQUIRE(polled_to_ready(*s.vercel, *rebuilt));
    CHECK(s.vercel->current_production()->id == *rebuilt);  // a production build is aliased once READY
    CHECK(s.fake.served_env("SESSION_SECRET") == "new-value-0002");

    SECTION("instant rollback: the old build with its old environment") {
        REQUIRE(s.vercel->request_rollback("dpl_Live5"));
        bool finished = false;
        for (int poll = 0; poll < 10 && !finished; ++poll) {
            auto job = s.vercel->alias_job_status();
            finished = job && job->finished();
        }
        REQUIRE(finished);
        CHECK(s.fake.served_env("SESSION_SECRET") == "old-value-0001");
    }
    SECTION("a rebuild of the old commit: the current environment") {
        auto again = s.vercel->redeploy("dpl_Prev2", "web", "production", false);
        REQUIRE(again);
        REQUIRE(polled_to_ready(*s.vercel, *again));
        CHECK(s.fake.deployment(*again)->sha == "sha-dpl_Prev2");
        CHECK(s.fake.served_env("SESSION_SECRET") == "new-value-0002");
    }
}

// Issue 16 item 5: the fake refuses what Vercel refuses (docs/platforms.md §1.3).
TEST_CASE("vercel: a rollback or promote to a deployment that is no rollback candidate is refused, nothing moves",
          "[vercel][refusals]") {
    setup s;
    auto stale = dep("dpl_Stale0", 0);
    stale.is_rollback_candidate = false;
    s.fake.add_deployment(stale);

    for (const bool promote : {false, true}) {
        auto refused = promote ? s.vercel->request_promote("dpl_Stale0") : s.vercel->request_rollback("dpl_Stale0");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().http_status == 400);
        CHECK(refused.error().message == "Vercel: bad_request: Deployment dpl_Stale0 is not a rollback candidate");
    }
    auto job = s.vercel->alias_job_status();
    REQUIRE(job);
    CHECK_FALSE(job->present);
    CHECK(s.vercel->current_production()->id == "dpl_Live5");
}

TEST_CASE("vercel: a second alias job while one runs is a conflict, and the first still finishes on its target",
          "[vercel][refusals]") {
    setup s;
    REQUIRE(s.vercel->request_rollback("dpl_Prev2"));
    auto second = s.vercel->request_promote("dpl_Old1");
    REQUIRE_FALSE(second);
    CHECK(second.error().kind == error_kind::conflict);
    CHECK(second.error().http_status == 409);
    CHECK(second.error().message == "Vercel: conflict: A rollback is already in progress for this project");

    std::string last;
    for (int i = 0; i < 10 && last != "succeeded"; ++i) {
        auto job = s.vercel->alias_job_status();
        REQUIRE(job);
        CHECK(job->type == "rollback");
        CHECK(job->to_deployment_id == "dpl_Prev2");
        last = job->job_status;
    }
    CHECK(last == "succeeded");
    CHECK(s.vercel->current_production()->id == "dpl_Prev2");
    // Once the first job is done, the next one is accepted.
    CHECK(s.vercel->request_promote("dpl_Old1"));
}
