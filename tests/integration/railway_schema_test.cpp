// Every GraphQL document the Railway adapter can send validates against Railway's published schema
// (tests/api_specs/railway-schema.json; issue 16 item 4), and the Railway fake refuses what Railway would refuse.
#include "adapters/railway.hpp"
#include "adapters/railway_queries.hpp"
#include "tests/support/api_specs.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/recording_http.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace opsbot;
using namespace opsbot::adapters;
using opsbot::testing::fake_railway;
using opsbot::testing::railway_schema;
namespace json = boost::json;
namespace graphql = opsbot::testing::graphql;

namespace {

// The documents of adapters/railway_queries.hpp: every one the adapter sends (the drive below proves the adapter
// sends these and nothing else).
const std::set<std::string> all_documents = {
    railway_queries::deployments,         railway_queries::latest_deployment,
    railway_queries::deployment_status,   railway_queries::deployment_rollback,
    railway_queries::deployment_redeploy, railway_queries::service_instance_deploy,
    railway_queries::variable_collection_upsert, railway_queries::variables,
};

http_options quick_options() {
    http_options o;
    o.request_timeout = std::chrono::seconds(5);
    o.max_attempts = 1;
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
}

std::string joined(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) {
        out += e + "\n";
    }
    return out;
}

json::object post(const fake_railway& fake, const json::object& payload, int* status = nullptr) {
    auto http = make_http_client(quick_options());
    auto request = json_request("POST", fake.api_url(), payload);
    request.headers.push_back({"Authorization", "Bearer " + fake.settings().token});
    auto response = http->send(request);
    REQUIRE(response);
    if (status) {
        *status = response->status;
    }
    return json::parse(response->body).as_object();
}

}  // namespace

TEST_CASE("railway schema: every document in railway_queries validates against the published schema",
          "[railway][api-spec]") {
    REQUIRE(all_documents.size() == 8);
    for (const auto& document : all_documents) {
        INFO(document);
        CHECK(joined(railway_schema().validate(document)).empty());
    }
}

TEST_CASE("railway schema: every request the adapter sends, across all its operations, validates with its variables",
          "[railway][api-spec]") {
    fake_railway fake;
    fake.add_deployment(opsbot::testing::seeded_railway_deployment("d1-aaaa", "2026-11-21T10:00:00.000Z", "REMOVED",
                                                                   true, "c0ffee1"));
    fake.add_deployment(opsbot::testing::seeded_railway_deployment("d2-aaaa", "2026-11-22T10:00:00.000Z", "SUCCESS",
                                                                   false, "c0ffee2"));
    opsbot::testing::recording_http http;
    auto railway = make_railway_platform(fake.service(), fake.settings().token, http);

    // Each operation of the adapter, the deploy_platform face included, answered without a GraphQL error.
    REQUIRE(railway->list_deployments("production", 5));
    REQUIRE(railway->latest_deployment("production"));
    REQUIRE(railway->deployment_status("d2-aaaa"));
    REQUIRE(railway->live("production"));
    REQUIRE(railway->recent("production", 3));
    REQUIRE(railway->variable_names("production"));
    REQUIRE(railway->upsert_variables("production", {{"A", "1"}}, true));
    REQUIRE(railway->upsert_variables("production", {{"B", "2"}}, false));
    REQUIRE(railway->variables("production"));
    REQUIRE(railway->rollback("d1-aaaa"));
    const auto redeployed = railway->redeploy_deployment("d2-aaaa");
    REQUIRE(redeployed);
    REQUIRE(railway->redeploy_latest("production"));

    std::set<std::string> sent;
    for (const auto& x : http.seen()) {
        const auto body = json::parse(x.body).as_object();
        const std::string document(body.at("query").as_string());
        sent.insert(document);
        INFO(document << "\nvariables: " << json::serialize(body.at("variables")));
        CHECK(joined(railway_schema().validate(document)).empty());
        const auto doc = graphql::parse(document);
        REQUIRE(doc);
        REQUIRE(doc->operations.size() == 1);
        CHECK(joined(railway_schema().check_variables(doc->operations.front(), body.at("variables").as_object()))
                  .empty());
        // The fake's answer: exactly the selected fields, each of its schema type (enum values included).
        INFO("answer: " << x.answer);
        const auto answer = json::parse(x.answer).as_object();
        REQUIRE_FALSE(answer.contains("errors"));
        CHECK(joined(railway_schema().check_data(*doc, doc->operations.front(), answer.at("data"))) == "");
    }
    // The adapter sent every document of railway_queries and no other.
    CHECK(sent == all_documents);
}

TEST_CASE("railway schema: an answer is checked field by field against the selection and the schema",
          "[railway][api-spec]") {
    const auto doc = graphql::parse("query D($id: String!) { d: deployment(id: $id) { id status canRollback } }");
    REQUIRE(doc);
    const auto& op = doc->operations.front();
    const auto check = [&](const char* data) {
        return joined(railway_schema().check_data(*doc, op, json::parse(data)));
    };
    const auto says = [&](const char* data, std::string_view what) {
        return check(data).find(what) != std::string::npos;
    };
    CHECK(check(R"({"d":{"id":"x","status":"SUCCESS","canRollback":true}})") == "");
    CHECK(says(R"({"d":{"id":"x","status":"SUCCESS","canRollback":true,"meta":{}}})",
               "d.meta: answered but not selected"));
    CHECK(says(R"({"d":{"id":"x","status":"SUCCESS"}})", "d.canRollback: selected but not answered"));
    CHECK(says(R"({"d":{"id":"x","status":"DONE","canRollback":true}})", "not a value of enum DeploymentStatus"));
    CHECK(says(R"({"d":{"id":"x","status":"SUCCESS","canRollback":null}})", "null for the non-null type"));
    CHECK(says(R"({"d":{"id":7,"status":"SUCCESS","canRollback":true}})", "d.id: 7 is not a"));
}

TEST_CASE("railway schema: the fake refuses a document that does not validate, with errors and no data",
          "[railway][api-spec]") {
    fake_railway fake;
    fake.add_deployment(opsbot::testing::seeded_railway_deployment("d1-aaaa", "2026-11-21T10:00:00.000Z", "REMOVED",
                                                                   true, "c0ffee1"));
    int status = 0;
    // The selection the docs once showed on deploymentRollback (a Boolean!) is refused, and nothing is rolled back.
    const json::object rollback_with_selection{
        {"query", "mutation R($id: String!) { deploymentRollback(id: $id) { id status } }"},
        {"variables", json::object{{"id", "d1-aaaa"}}}};
    const auto refused = post(fake, rollback_with_selection, &status);
    CHECK(status == 200);
    CHECK_FALSE(refused.contains("data"));
    REQUIRE(refused.at("errors").as_array().size() == 1);
    const auto& error = refused.at("errors").as_array().front().as_object();
    CHECK(std::string(error.at("message").as_string()).find("must not have a selection") != std::string::npos);
    CHECK(error.at("extensions").at("code") == "GRAPHQL_VALIDATION_FAILED");
    CHECK(fake.deployments().size() == 1);

    // A variable of the wrong type, an unknown field, a missing required variable: each refused before running.
    const auto wrong_type = post(fake, json::object{{"query", "query D($id: Int!) { deployment(id: $id) { id } }"},
                                                    {"variables", json::object{{"id", 1}}}});
    CHECK(wrong_type.at("errors").as_array().front().at("message").as_string().find("expecting type \"String!\"") !=
          json::string::npos);
    const auto unknown = post(fake, json::object{{"query", "{ deployment(id: \"d1-aaaa\") { id imageTag } }"}});
    CHECK(unknown.at("errors").as_array().front().at("message") ==
          "Cannot query field \"imageTag\" on type \"Deployment\".");
    const auto missing = post(fake, json::object{{"query", railway_queries::deployment_status},
                                                 {"variables", json::object{}}});
    CHECK(missing.at("errors").as_array().front().at("message") ==
          "Variable \"$id\" of required type \"String!\" was not provided.");
    const auto syntax = post(fake, json::object{{"query", "query { deployment(id: \"d1-aaaa\") { id }"}});
    CHECK(syntax.at("errors").as_array().front().at("extensions").at("code") == "GRAPHQL_PARSE_FAILED");
}

TEST_CASE("railway schema: the fake picks the operation by its root field and answers only what was selected",
          "[railway][api-spec]") {
    fake_railway fake;
    fake.add_deployment(opsbot::testing::seeded_railway_deployment("d1-aaaa", "2026-11-21T10:00:00.000Z", "SUCCESS",
                                                                   false, "c0ffee1"));
    // Two aliased root fields, each run by its resolver and cut to its own selection.
    const auto answer = post(fake, json::object{{"query", "query Q($id: String!) { first: deployment(id: $id) { id } "
                                                          "again: deployment(id: $id) { status createdAt } }"},
                                                {"variables", json::object{{"id", "d1-aaaa"}}}});
    CHECK(json::serialize(answer) ==
          R"({"data":{"first":{"id":"d1-aaaa"},"again":{"status":"SUCCESS","createdAt":"2026-11-21T10:00:00.000Z"}}})");
    const json::object input{{"projectId", fake.settings().project_id},
                             {"serviceId", fake.settings().service_id},
                             {"environmentId", "env-prod-3333"}};
    const auto list = post(fake, json::object{{"query", "query L($input: DeploymentListInput!) { deployments(input: "
                                                        "$input, first: 1) { edges { node { id } } } }"},
                                              {"variables", json::object{{"input", input}}}});
    // No cursor, no status, no meta: the document did not ask for them.
    CHECK(json::serialize(list) == R"({"data":{"deployments":{"edges":[{"node":{"id":"d1-aaaa"}}]}}})");
    // A root field in the schema that the fake does not serve is an error, not an invented answer.
    const auto unserved = post(fake, json::object{{"query", "{ me { id } }"}});
    CHECK(unserved.at("errors").as_array().front().at("message").as_string().find("does not serve") !=
          json::string::npos);
}
