// The GraphQL validator of the tests (tests/support/graphql_schema.hpp) against Railway's published schema: it must
// accept what Railway runs and refuse what Railway refuses, or the checks built on it prove nothing.
#include "tests/support/graphql_schema.hpp"
#include "tests/support/paths.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

using namespace opsbot::testing;

namespace {

const graphql::schema& railway() {
    static const auto loaded = graphql::schema::load(source_dir() + "/tests/api_specs/railway-schema.json");
    REQUIRE(loaded.has_value());
    return *loaded;
}

bool mentions(const std::vector<std::string>& errors, std::string_view text) {
    return std::any_of(errors.begin(), errors.end(), [&](const auto& e) { return e.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("graphql schema: a document Railway runs validates", "[graphql]") {
    CHECK(railway().validate("query D($id: String!) { deployment(id: $id) { id status canRollback meta } }").empty());
    CHECK(railway().validate("{ deployment(id: \"d1\") { id status __typename } }").empty());
    // Aliases, fragments and inline fragments.
    CHECK(railway()
              .validate("query D($id: String!) { d: deployment(id: $id) { ...F ... on Deployment { createdAt } } }"
                        " fragment F on Deployment { id status }")
              .empty());
    // An input object written inline, with variables in it; an enum literal; a list of enums.
    CHECK(railway()
              .validate("query L($p: String!) { deployments(first: 2, input: {projectId: $p, status: {in: "
                        "[SUCCESS, REMOVED]}}) { edges { node { id } } } }")
              .empty());
    // A nullable variable with a default may fill a non-null argument (§5.8.5).
    CHECK(railway().validate("query D($id: String = \"d1\") { deployment(id: $id) { id } }").empty());
}

TEST_CASE("graphql schema: an unknown field is refused, on the root and inside a selection", "[graphql]") {
    const auto root = railway().validate("query { deploymentz(id: \"x\") { id } }");
    CHECK(mentions(root, "Cannot query field \"deploymentz\" on type \"Query\"."));
    const auto nested = railway().validate("query { deployment(id: \"x\") { id imageTag } }");
    CHECK(mentions(nested, "Cannot query field \"imageTag\" on type \"Deployment\"."));
    const auto mutation = railway().validate("mutation { deploymentRollbackV9(id: \"x\") }");
    CHECK(mentions(mutation, "on type \"Mutation\""));
}

TEST_CASE("graphql schema: an argument of the wrong type is refused, as a literal and as a variable", "[graphql]") {
    CHECK(mentions(railway().validate("{ deployment(id: 42) { id } }"),
                   "Expected value of type \"String!\", found 42."));
    CHECK(mentions(railway().validate("query D($id: Int!) { deployment(id: $id) { id } }"),
                   "Variable \"$id\" of type \"Int!\" used in position expecting type \"String!\"."));
    // A nullable variable in a non-null position (the mistake the schema's `!` is there to catch).
    CHECK(mentions(railway().validate("query D($id: String) { deployment(id: $id) { id } }"),
                   "Variable \"$id\" of type \"String\" used in position expecting type \"String!\"."));
    // A list where a single value is wanted, and an enum value that does not exist.
    CHECK(mentions(railway().validate("query D($id: [String!]!) { deployment(id: $id) { id } }"),
                   "used in position expecting type \"String!\""));
    CHECK(mentions(railway().validate("{ deployments(input: {status: {in: [SHINY]}}) { edges { node { id } } } }"),
                   "does not exist in \"DeploymentStatus\" enum"));
    CHECK(mentions(railway().validate("{ deployment(id: \"x\", usePreviousImageTag: true) { id } }"),
                   "Unknown argument \"usePreviousImageTag\" on field \"Query.deployment\"."));
    CHECK(mentions(railway().validate("{ deployments(input: {projectID: \"p\"}) { edges { node { id } } } }"),
                   "Field \"projectID\" is not defined by type \"DeploymentListInput\"."));
}

TEST_CASE("graphql schema: a missing required argument is refused", "[graphql]") {
    CHECK(mentions(railway().validate("{ deployment { id } }"),
                   "Field \"deployment\" argument \"id\" of type \"String!\" is required, but it was not provided."));
    CHECK(mentions(railway().validate("{ deployments(first: 1) { edges { node { id } } } }"),
                   "argument \"input\" of type \"DeploymentListInput!\" is required"));
    CHECK(mentions(railway().validate("mutation { variableCollectionUpsert(input: {projectId: \"p\", environmentId: "
                                      "\"e\"}) }"),
                   "Field \"VariableCollectionUpsertInput.variables\" of required type \"EnvironmentVariables!\" was "
                   "not provided."));
}

TEST_CASE("graphql schema: a selection on a scalar is refused, and an object needs one", "[graphql]") {
    CHECK(mentions(railway().validate("mutation { deploymentRollback(id: \"x\") { id status } }"),
                   "Field \"deploymentRollback\" must not have a selection since type \"Boolean!\" has no subfields."));
    CHECK(mentions(railway().validate("{ deployment(id: \"x\") { status { name } } }"),
                   "Field \"status\" must not have a selection since type \"DeploymentStatus!\" has no subfields."));
    CHECK(mentions(railway().validate("{ deployment(id: \"x\") }"),
                   "Field \"deployment\" of type \"Deployment!\" must have a selection of subfields."));
}

TEST_CASE("graphql schema: variables are declared once, used, and defined", "[graphql]") {
    CHECK(mentions(railway().validate("query D($id: String!, $x: Int) { deployment(id: $id) { id } }"),
                   "Variable \"$x\" is never used in operation \"D\"."));
    CHECK(mentions(railway().validate("query D { deployment(id: $id) { id } }"), "Variable \"$id\" is not defined."));
    CHECK(mentions(railway().validate("query D($d: Deployment) { deployment(id: \"x\") { id } }"),
                   "cannot be non-input type"));
    CHECK(mentions(railway().validate("{ deployment(id: \"x\") { ...Nope } }"), "Unknown fragment \"Nope\"."));
    CHECK(mentions(railway().validate("{ deployment(id: \"x\") { id } } fragment F on Deployment { id }"),
                   "Fragment \"F\" is never used."));
}

TEST_CASE("graphql schema: a document that does not parse is a syntax error with its place", "[graphql]") {
    const auto errors = railway().validate("query D($id: String!) { deployment(id: $id) { id }");
    REQUIRE(errors.size() == 1);
    CHECK(errors.front().starts_with("Syntax Error:"));
    CHECK(mentions(railway().validate("query { deployment(id: \"x) { id } }"), "Unterminated string"));
    CHECK(mentions(railway().validate(""), "Syntax Error"));
}

TEST_CASE("graphql schema: variable values are checked against their declared types", "[graphql]") {
    const auto doc = graphql::parse(
        "query L($input: DeploymentListInput!, $first: Int) { deployments(input: $input, first: $first) "
        "{ edges { node { id } } } }");
    REQUIRE(doc.has_value());
    const auto& op = doc->operations.front();
    namespace json = boost::json;
    CHECK(railway().check_variables(op, json::object{{"input", json::object{{"projectId", "p"}}}, {"first", 3}})
              .empty());
    CHECK(mentions(railway().check_variables(op, json::object{{"first", 3}}),
                   "Variable \"$input\" of required type \"DeploymentListInput!\" was not provided."));
    CHECK(mentions(railway().check_variables(op, json::object{{"input", json::object{}}, {"first", "3"}}),
                   "Variable \"$first\" got invalid value"));
    CHECK(mentions(railway().check_variables(op, json::object{{"input", json::object{{"projectID", "p"}}}}),
                   "Variable \"$input\" got invalid value"));
}

TEST_CASE("graphql document: arguments resolve with their variables and answers keep only the selection",
          "[graphql]") {
    namespace json = boost::json;
    const auto doc = graphql::parse(
        "mutation U($p: String!, $v: EnvironmentVariables!) { variableCollectionUpsert(input: {projectId: $p, "
        "variables: $v, skipDeploys: true}) } query Q { d: deployment(id: \"d1\") { id ...F } } "
        "fragment F on Deployment { status }");
    REQUIRE(doc.has_value());
    const auto& upsert = doc->find_operation("U")->selections.front();
    const auto args = graphql::resolve_arguments(upsert, json::object{{"p", "proj"}, {"v", json::object{{"A", "1"}}}});
    CHECK(json::serialize(args) ==
          R"({"input":{"projectId":"proj","variables":{"A":"1"},"skipDeploys":true}})");
    const auto& query = *doc->find_operation("Q");
    const json::value data = json::object{
        {"deployment", json::object{{"id", "d1"}, {"status", "SUCCESS"}, {"canRollback", true}}}};
    // The alias names the key; canRollback was not selected, so it is not answered.
    CHECK(json::serialize(graphql::select(data, query.selections, *doc)) == R"({"d":{"id":"d1","status":"SUCCESS"}})");
}
