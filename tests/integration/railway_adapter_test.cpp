// The Railway adapter against a protocol-faithful GraphQL fake over real loopback sockets (docs/platforms.md §2, §7).
#include "adapters/railway.hpp"
#include "demo/sandbox_platforms.hpp"
#include "tests/support/fake_railway.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_railway;
using opsbot::testing::fake_railway_deployment;

namespace {

http_options quick_options() {
    http_options o;
    o.request_timeout = std::chrono::seconds(5);
    o.max_attempts = 2;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}


fake_railway_deployment dep(std::string id, int day, std::string status, bool can_rollback) {
    fake_railway_deployment d;
    d.id = std::move(id);
    d.created_at = "2026-11-2" + std::to_string(day) + "T10:00:00.000Z";
    d.status = std::move(status);
    d.can_rollback = can_rollback;
    d.commit_hash = "c0ffee" + std::to_string(day);
    return d;
}

// Live d5 (SUCCESS); d4 FAILED (not rollbackable); d3, d2 REMOVED (rollbackable, as Railway leaves them).
void seed(fake_railway& fake) {
    fake.add_deployment(dep("d2-aaaa", 2, "REMOVED", true));
    fake.add_deployment(dep("d5-aaaa", 5, "SUCCESS", false));
    fake.add_deployment(dep("d3-aaaa", 3, "REMOVED", true));
    fake.add_deployment(dep("d4-aaaa", 4, "FAILED", false));
    auto staging = dep("s1-aaaa", 1, "SUCCESS", false);
    staging.environment_id = fake.settings().environments.at("staging");
    fake.add_deployment(staging);
}

struct setup {
    fake_railway fake;
    std::unique_ptr<http_client> http = make_http_client(quick_options());
    std::unique_ptr<railway_platform> railway;

    explicit setup(fake_railway::options o = {}) : fake(std::move(o)) {
        seed(fake);
        railway = make_railway_platform(fake.service(), fake.settings().token, *http);
    }
};

}  // namespace

TEST_CASE("railway: lists deployments newest first with meta, using the configured ids", "[railway]") {
    setup s;
    auto list = s.railway->list_deployments("production", 10);
    REQUIRE(list);
    REQUIRE(list->size() == 4);
    CHECK((*list)[0].id == "d5-aaaa");
    CHECK((*list)[0].status == "SUCCESS");
    CHECK((*list)[0].commit_hash == "c0ffee5");
    CHECK((*list)[0].branch == "main");
    CHECK((*list)[0].created_at == "2026-11-25T10:00:00.000Z");
    CHECK((*list)[3].id == "d2-aaaa");
    CHECK((*list)[3].can_rollback);

    const auto r = s.fake.requests().back();
    CHECK(r.method == "POST");
    CHECK(r.path == "/graphql/v2");
    CHECK(r.header("Authorization") == "Bearer railway-test-token");
    CHECK(r.header("Content-Type")->starts_with("application/json"));
    const auto body = boost::json::parse(r.body).as_object();
    CHECK(body.at("query").as_string().find("deployments(input: $input, first: $first)") != std::string::npos);
    const auto& input = body.at("variables").as_object().at("input").as_object();
    CHECK(input.at("projectId") == "proj-11111111");
    CHECK(input.at("serviceId") == "svc-22222222");
    CHECK(input.at("environmentId") == "env-prod-3333");
    CHECK(body.at("variables").as_object().at("first") == 10);

    auto staging = s.railway->list_deployments("staging", 10);
    REQUIRE(staging);
    REQUIRE(staging->size() == 1);
    CHECK(staging->front().id == "s1-aaaa");
}

TEST_CASE("railway: project tokens use the Project-Access-Token header and no bearer", "[railway]") {
    fake_railway::options o;
    o.project_token = true;
    setup s(o);
    auto latest = s.railway->latest_deployment("production");
    REQUIRE(latest);
    CHECK(latest->id == "d5-aaaa");
    const auto r = s.fake.requests().back();
    CHECK(r.header("Project-Access-Token") == "railway-test-token");
    CHECK_FALSE(r.header("Authorization"));

    // The same token sent as a bearer is refused with a GraphQL error in a 200 answer.
    auto bearer_config = s.fake.service();
    bearer_config.token_header = "";
    auto bearer = make_railway_platform(bearer_config, "railway-test-token", *s.http);
    auto refused = bearer->latest_deployment("production");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::auth);
    CHECK(refused.error().message == "Railway: LatestDeployment: Not Authorized");
}

TEST_CASE("railway: GraphQL errors in a 200 body are errors, no data is a bad_response", "[railway]") {
    setup s;
    s.fake.knobs().graphql_error_next("Problem processing request");
    auto e = s.railway->list_deployments("production", 5);
    REQUIRE_FALSE(e);
    CHECK(e.error().kind != error_kind::auth);
    CHECK(e.error().message.find("Problem processing request") != std::string::npos);

    s.fake.knobs().graphql_error_next("Not Authorized");
    CHECK(s.railway->deployment_status("d5-aaaa").error().kind == error_kind::auth);

    s.fake.knobs().fail_next(200, R"({"extensions":{}})");
    auto no_data = s.railway->latest_deployment("production");
    REQUIRE_FALSE(no_data);
    CHECK(no_data.error().kind == error_kind::bad_response);

    s.fake.knobs().malformed_next();
    auto malformed = s.railway->latest_deployment("production");
    REQUIRE_FALSE(malformed);
    CHECK(malformed.error().kind == error_kind::bad_response);
    CHECK(malformed.error().message.find("LatestDeployment") != std::string::npos);

    CHECK(s.railway->deployment_status("no-such-id").error().kind == error_kind::not_found);
}

TEST_CASE("railway: the rollback target is chosen by canRollback, REMOVED ones included", "[railway]") {
    setup s;
    auto list = s.railway->list_deployments("production", 20);
    REQUIRE(list);
    auto live = pick_railway_live(*list);
    REQUIRE(live);
    CHECK(live->id == "d5-aaaa");

    auto target = pick_railway_rollback_target(*list, live->id);
    REQUIRE(target);
    CHECK(target->id == "d3-aaaa");  // d4 FAILED has canRollback false; d3 is REMOVED but eligible
    CHECK(target->status == "REMOVED");

    CHECK(pick_railway_rollback_target(*list, live->id, "d2-aaaa")->id == "d2-aaaa");
    const auto failed = pick_railway_rollback_target(*list, live->id, "d4-aaaa");
    REQUIRE_FALSE(failed);
    CHECK(failed.error().kind == error_kind::invalid_input);
    CHECK(failed.error().message.find("canRollback") != std::string::npos);
    CHECK(pick_railway_rollback_target(*list, live->id, "d5-aaaa").error().kind == error_kind::invalid_input);
    CHECK(pick_railway_rollback_target(*list, live->id, "zzz").error().kind == error_kind::not_found);
    CHECK(pick_railway_rollback_target(*list, "d2-aaaa").error().kind == error_kind::not_found);
    CHECK(pick_railway_rollback_target(*list, "unknown").error().kind == error_kind::not_found);
}

TEST_CASE("railway: rollback creates a deployment that is polled to SUCCESS and replaces the live one", "[railway]") {
    setup s;
    REQUIRE(s.railway->rollback("d3-aaaa"));
    const auto body = boost::json::parse(s.fake.requests().back().body).as_object();
    CHECK(body.at("query").as_string().find("deploymentRollback(id: $id) }") != std::string::npos);
    CHECK(body.at("variables").as_object().at("id") == "d3-aaaa");

    std::vector<std::string> seen;
    std::string new_id;
    for (int i = 0; i < 10; ++i) {
        auto latest = s.railway->latest_deployment("production");
        REQUIRE(latest);
        new_id = latest->id;
        seen.push_back(latest->status);
        if (!latest->in_progress()) {
            break;
        }
    }
    CHECK(seen == std::vector<std::string>{"BUILDING", "DEPLOYING", "SUCCESS"});
    CHECK(new_id != "d5-aaaa");
    CHECK(s.fake.deployment(new_id)->commit_hash == "c0ffee3");
    const auto old_live = s.fake.deployment("d5-aaaa");
    CHECK(old_live->status == "REMOVED");
    CHECK(old_live->can_rollback);
    CHECK(s.railway->deployment_status(new_id).value() == "SUCCESS");

    // The next pick from the new state goes back to d5, now REMOVED.
    auto list = s.railway->list_deployments("production", 20);
    REQUIRE(list);
    CHECK(pick_railway_live(*list)->id == new_id);
    CHECK(pick_railway_rollback_target(*list, new_id)->id == "d5-aaaa");
}

TEST_CASE("railway: a failed rollback deployment ends FAILED and the live one stays", "[railway]") {
    setup s;
    s.fake.fail_next_deploy();
    REQUIRE(s.railway->rollback("d2-aaaa"));
    std::string status;
    std::string id;
    for (int i = 0; i < 10; ++i) {
        auto latest = s.railway->latest_deployment("production");
        REQUIRE(latest);
        status = latest->status;
        id = latest->id;
        if (!latest->in_progress()) {
            break;
        }
    }
    CHECK(status == "FAILED");
    CHECK(s.fake.deployment("d5-aaaa")->status == "SUCCESS");

    // deploymentRollback answering false is an error.
    s.fake.rollback_false_next();
    auto refused = s.railway->rollback("d3-aaaa");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::conflict);
    CHECK(refused.error().message.find("d3-aaaa") != std::string::npos);

    // Not rollbackable: Railway's own error comes through.
    auto not_allowed = s.railway->rollback("d4-aaaa");
    REQUIRE_FALSE(not_allowed);
    CHECK(not_allowed.error().message.find("cannot be rolled back") != std::string::npos);
}

TEST_CASE("railway: an environment missing from the config is invalid_input and sends nothing", "[railway]") {
    setup s;
    auto e = s.railway->list_deployments("qa", 5);
    REQUIRE_FALSE(e);
    CHECK(e.error().kind == error_kind::invalid_input);
    CHECK(e.error().message.find("services.api.environments.qa") != std::string::npos);
    CHECK(s.railway->latest_deployment("qa").error().kind == error_kind::invalid_input);
    CHECK(s.railway->redeploy_latest("qa").error().kind == error_kind::invalid_input);
    CHECK(s.railway->upsert_variables("qa", {{"A", "b"}}, true).error().kind == error_kind::invalid_input);
    CHECK(s.fake.requests().empty());
}

TEST_CASE("railway: redeploy and variable upsert", "[railway]") {
    setup s;
    auto id = s.railway->redeploy_latest("production");
    REQUIRE(id);
    CHECK(s.fake.deployment(*id)->status == "BUILDING");
    CHECK(s.fake.count_operation("serviceInstanceDeployV2") == 1);

    const auto before = s.fake.deployments().size();
    REQUIRE(s.railway->upsert_variables("staging", {{"BETTER_AUTH_SECRET", "0123456789abcdef"}}, true));
    CHECK(s.fake.variables().at("env-stg-4444").at("BETTER_AUTH_SECRET") == "0123456789abcdef");
    CHECK(s.fake.deployments().size() == before);  // skipDeploys: no redeploy
    const auto body = boost::json::parse(s.fake.requests().back().body).as_object();
    CHECK(body.at("variables").as_object().at("skipDeploys") == true);

    REQUIRE(s.railway->upsert_variables("staging", {{"OTHER", "x"}}, false));
    CHECK(s.fake.deployments().size() == before + 1);
}

TEST_CASE("railway: variables() reads the service's map in one environment", "[railway][env]") {
    setup s;
    s.fake.set_variable("DATABASE_URL", "postgres://u:pw@db/prod");
    s.fake.set_variable("OPENAI_API_KEY", "sk-prod-value-123");
    s.fake.set_variable("STAGING_ONLY", "x", "env-stg-4444");
    auto prod = s.railway->variables("production");
    REQUIRE(prod);
    CHECK(*prod == std::map<std::string, std::string>{{"DATABASE_URL", "postgres://u:pw@db/prod"},
                                                      {"OPENAI_API_KEY", "sk-prod-value-123"}});
    const auto body = boost::json::parse(s.fake.requests().back().body).as_object();
    CHECK(std::string(body.at("query").as_string()).find("variables(projectId: $projectId") != std::string::npos);
    const auto& vars = body.at("variables").as_object();
    CHECK(vars.at("projectId") == "proj-11111111");
    CHECK(vars.at("environmentId") == "env-prod-3333");
    CHECK(vars.at("serviceId") == "svc-22222222");
    CHECK(s.railway->variables("staging")->size() == 1);

    s.fake.knobs().graphql_error_next("Not Authorized");
    CHECK(s.railway->variables("production").error().kind == error_kind::auth);
    s.fake.knobs().fail_next(200, R"({"data":{"variables":"nope"}})");
    CHECK(s.railway->variables("production").error().kind == error_kind::bad_response);
    s.fake.knobs().malformed_next();
    CHECK(s.railway->variables("production").error().kind == error_kind::bad_response);
    const auto sent = s.fake.requests().size();
    CHECK(s.railway->variables("qa").error().kind == error_kind::invalid_input);
    CHECK(s.fake.requests().size() == sent);
}

TEST_CASE("railway: upserts are recorded with skipDeploys, the failure knob stores nothing", "[railway][env]") {
    setup s;
    REQUIRE(s.railway->upsert_variables("production", {{"RESEND_API_KEY", "re_first_123456"}}, true));
    REQUIRE(s.railway->upsert_variables("production", {{"RESEND_API_KEY", "re_second_123456"}}, true));
    CHECK(s.fake.written_values("RESEND_API_KEY") == std::vector<std::string>{"re_first_123456", "re_second_123456"});
    CHECK(s.fake.skip_deploys_seen() == std::vector<bool>{true, true});
    CHECK(s.railway->variables("production")->at("RESEND_API_KEY") == "re_second_123456");

    s.fake.fail_variable_upserts("Problem processing request");
    auto failed = s.railway->upsert_variables("production", {{"RESEND_API_KEY", "re_third_123456"}}, true);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().message.find("Problem processing request") != std::string::npos);
    CHECK(failed.error().message.find("re_third_123456") == std::string::npos);
    CHECK(s.fake.written_values("RESEND_API_KEY").size() == 2);
    CHECK(s.railway->variables("production")->at("RESEND_API_KEY") == "re_second_123456");
}

TEST_CASE("railway sandbox (demo): rollback advances when polled and follows the same rules", "[railway][sandbox]") {
    manual_clock clock;
    auto sandbox = demo::make_sandbox_railway(clock, 3);
    auto list = sandbox->list_deployments("production", 10);
    REQUIRE(list);
    REQUIRE(list->size() == 4);
    const auto live = pick_railway_live(*list);
    REQUIRE(live);
    CHECK(live->id == list->front().id);
    CHECK(live->id.size() == 36);  // a UUID like Railway's
    auto target = pick_railway_rollback_target(*list, live->id);
    REQUIRE(target);
    CHECK(target->status == "REMOVED");
    REQUIRE(sandbox->rollback(target->id));
    std::vector<std::string> seen;
    for (int i = 0; i < 10; ++i) {
        auto latest = sandbox->latest_deployment("production");
        REQUIRE(latest);
        seen.push_back(latest->status);
        if (!latest->in_progress()) {
            break;
        }
    }
    CHECK(seen == std::vector<std::string>{"BUILDING", "DEPLOYING", "SUCCESS"});
    auto after = sandbox->list_deployments("production", 10);
    REQUIRE(after);
    CHECK(after->front().commit_hash == target->commit_hash);
    CHECK(pick_railway_live(*after)->id == after->front().id);
    CHECK(sandbox->list_deployments("qa", 1).error().kind == error_kind::invalid_input);
}

/// Polls deployment(id) as a step does: the fake advances one state per poll (deploy_polls).
bool polled_to_success(railway_platform& railway, const std::string& id) {
    for (int poll = 0; poll < 10; ++poll) {
        auto status = railway.deployment_status(id);
        if (status && *status == "SUCCESS") {
            return true;
        }
    }
    return false;
}

TEST_CASE("railway: deploymentRollback restores the target's variables, deploymentRedeploy keeps the current ones",
          "[railway]") {
    setup s;
    s.fake.set_variable("SESSION_SECRET", "old-value-0001");  // d5, live, and every older deployment carry it
    // A rotation: the new value written, then a deploy that serves it.
    REQUIRE(s.railway->upsert_variables("production", {{"SESSION_SECRET", "new-value-0002"}}, true));
    auto deployed = s.railway->redeploy_latest("production");
    REQUIRE(deployed);
    REQUIRE(polled_to_success(*s.railway, *deployed));
    CHECK(s.fake.served_variables().at("SESSION_SECRET") == "new-value-0002");

    SECTION("a rollback brings the old value back, as Railway documents (image and variables restored)") {
        REQUIRE(s.railway->rollback("d5-aaaa"));
        auto latest = s.railway->latest_deployment("production");
        REQUIRE(latest);
        REQUIRE(polled_to_success(*s.railway, latest->id));
        CHECK(s.fake.served_variables().at("SESSION_SECRET") == "old-value-0001");
        CHECK(s.fake.variables().at("env-prod-3333").at("SESSION_SECRET") == "old-value-0001");
    }
    SECTION("a redeploy of the old deployment serves its build with the current value") {
        auto redeployed = s.railway->redeploy_deployment("d5-aaaa");
        REQUIRE(redeployed);
        CHECK(s.fake.count_operation("deploymentRedeploy(id: $id) { id }") == 1);
        REQUIRE(polled_to_success(*s.railway, *redeployed));
        CHECK(s.fake.deployment(*redeployed)->commit_hash == "c0ffee5");
        CHECK(s.fake.served_variables().at("SESSION_SECRET") == "new-value-0002");
    }
}

TEST_CASE("railway: deploymentRedeploy of an unknown deployment is not_found", "[railway]") {
    setup s;
    auto r = s.railway->redeploy_deployment("nope");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::not_found);
}

// ------------------------------------------------------------------ a request that may have reached Railway (#12)

TEST_CASE("railway: deploymentRollback answered 502 after Railway applied it is sent once: unknown_outcome",
          "[railway][outcome]") {
    setup s;  // the client would retry a retryable failure (max_attempts 2)
    const auto before = s.fake.deployments().size();
    s.fake.knobs().act_then_fail(502, {"POST", "deploymentRollback"});
    auto done = s.railway->rollback("d3-aaaa");
    REQUIRE_FALSE(done);
    CHECK(done.error().kind == error_kind::unknown_outcome);
    CHECK(done.error().http_status == 502);
    CHECK(done.error().message.starts_with("Railway: DeploymentRollback: POST http://127.0.0.1:"));
    CHECK(done.error().message.find("may have acted") != std::string::npos);
    CHECK(s.fake.count_operation("deploymentRollback") == 1);
    CHECK(s.fake.knobs().acted_then_failed() == 1);
    CHECK(s.fake.deployments().size() == before + 1);  // Railway did act: one new deployment, not two
}

TEST_CASE("railway: a redeploy whose connection drops after Railway applied it is sent once: unknown_outcome",
          "[railway][outcome]") {
    setup s;
    const auto before = s.fake.deployments().size();
    s.fake.knobs().act_then_drop({"POST", "serviceInstanceDeployV2"});
    auto created = s.railway->redeploy_latest("production");
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == error_kind::unknown_outcome);
    CHECK(s.fake.count_operation("serviceInstanceDeployV2") == 1);
    CHECK(s.fake.deployments().size() == before + 1);
}

TEST_CASE("railway: queries are reads sent as POSTs: a 502 is retried", "[railway][outcome]") {
    setup s;
    s.fake.knobs().act_then_fail(502, {"POST", "latestDeployment"});
    auto latest = s.railway->latest_deployment("production");
    REQUIRE(latest);
    CHECK(latest->id == "d5-aaaa");
    CHECK(s.fake.count_operation("latestDeployment") == 2);
}

TEST_CASE("railway: an upsert with skipDeploys may be repeated, one that deploys may not", "[railway][outcome]") {
    setup s;
    s.fake.knobs().act_then_fail(502, {"POST", "variableCollectionUpsert"});
    REQUIRE(s.railway->upsert_variables("production", {{"RESEND_API_KEY", "re_new_value_1234"}}, true));
    CHECK(s.fake.written_values("RESEND_API_KEY") == std::vector<std::string>{"re_new_value_1234", "re_new_value_1234"});

    s.fake.knobs().act_then_fail(502, {"POST", "variableCollectionUpsert"});
    auto deploying = s.railway->upsert_variables("production", {{"RESEND_API_KEY", "re_new_value_5678"}}, false);
    REQUIRE_FALSE(deploying);
    CHECK(deploying.error().kind == error_kind::unknown_outcome);
    CHECK(s.fake.written_values("RESEND_API_KEY").size() == 3);
}

TEST_CASE("railway: SLEEPING serves, NEEDS_APPROVAL is named instead of 'no deployment'", "[railway]") {
    fake_railway fake;
    fake.add_deployment(dep("d1-aaaa", 1, "REMOVED", true));
    fake.add_deployment(dep("d2-aaaa", 2, "SLEEPING", false));
    auto http = make_http_client(quick_options());
    auto railway = make_railway_platform(fake.service(), fake.settings().token, *http);
    auto list = railway->list_deployments("production", 10);
    REQUIRE(list);
    auto live = pick_railway_live(*list);
    REQUIRE(live);
    CHECK(live->id == "d2-aaaa");

    fake_railway held;
    held.add_deployment(dep("d3-aaaa", 3, "NEEDS_APPROVAL", false));
    auto railway2 = make_railway_platform(held.service(), held.settings().token, *http);
    auto none = pick_railway_live(*railway2->list_deployments("production", 10));
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("waiting for approval in Railway's dashboard") != std::string::npos);
    CHECK(railway2->latest_deployment("production")->needs_approval());
}

TEST_CASE("railway: deploymentLogs answering more lines than asked keeps the newest, oldest first", "[railway]") {
    setup s;
    // A server that ignores `limit` (found while writing the adapter fuzz harness's invariant): five lines for two.
    s.fake.knobs().fail_next(200, R"({"data":{"deploymentLogs":[
        {"timestamp":"2026-11-25T10:00:05.000Z","message":"five","severity":"info"},
        {"timestamp":"2026-11-25T10:00:01.000Z","message":"one","severity":"info"},
        {"timestamp":"2026-11-25T10:00:04.000Z","message":"four","severity":"error"},
        {"timestamp":"2026-11-25T10:00:02.000Z","message":"two","severity":"info"},
        {"timestamp":"2026-11-25T10:00:03.000Z","message":"three","severity":"info"}]}})");
    auto lines = s.railway->deployment_logs("d5-aaaa", "", 2);
    REQUIRE(lines);
    REQUIRE(lines->size() == 2);
    CHECK(lines->at(0).message == "four");
    CHECK(lines->at(1).message == "five");
}
