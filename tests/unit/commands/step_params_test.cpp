// Typed step parameters (commands/plan/step_params.hpp): written by plans, read back by the step kind, and a plan
// whose parameters do not fit its kinds is refused by the catalog before anything runs.
#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"

#include <boost/describe/class.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::commands;

namespace {

struct checksum_entry {
    std::string name;
    std::string checksum;
};
BOOST_DESCRIBE_STRUCT(checksum_entry, (), (name, checksum))

struct sample_params {
    std::string service;
    bool rebuild = false;
    std::int64_t attempts = 0;
    std::optional<std::string> note;
    std::vector<checksum_entry> approved;
};
BOOST_DESCRIBE_STRUCT(sample_params, (), (service, rebuild, attempts, note, approved))

plan_step step_with(boost::json::object params) {
    plan_step step;
    step.kind = "sample.step";
    step.params = std::move(params);
    return step;
}

result<std::string> echo(const sample_params& p, const plan_step&, const step_environment&) {
    return p.service + (p.rebuild ? " rebuilt" : "") + " x" + std::to_string(p.attempts) + " " + p.note.value_or("-") +
           " " + std::to_string(p.approved.size());
}

}  // namespace

TEST_CASE("parameters written by a plan read back as the same struct, in declaration order") {
    sample_params in{"web", true, 3, std::nullopt, {{"20261201_init", "abc"}, {"20261202_users", "def"}}};
    const auto params = params_of(in);
    CHECK(boost::json::serialize(params) ==
          R"({"service":"web","rebuild":true,"attempts":3,"approved":[{"name":"20261201_init","checksum":"abc"},)"
          R"({"name":"20261202_users","checksum":"def"}]})");
    auto out = read_params<sample_params>(step_with(params));
    REQUIRE(out);
    CHECK(out->service == "web");
    CHECK(out->rebuild);
    CHECK(out->attempts == 3);
    CHECK_FALSE(out->note);
    REQUIRE(out->approved.size() == 2);
    CHECK(out->approved[1].checksum == "def");
}

TEST_CASE("a missing or mistyped parameter is named, with the step kind") {
    auto missing = read_params<sample_params>(step_with({{"service", "web"}, {"rebuild", false}, {"approved", {}}}));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == error_kind::invalid_input);
    CHECK(missing.error().message == "step `sample.step`: its parameter `attempts` is missing");

    auto mistyped = read_params<sample_params>(
        step_with({{"service", "web"}, {"rebuild", "yes"}, {"attempts", 1}, {"approved", boost::json::array{}}}));
    REQUIRE_FALSE(mistyped);
    CHECK(mistyped.error().message == "step `sample.step`: its parameter `rebuild` is not of the type the step reads");

    auto bad_entry = read_params<sample_params>(step_with(
        {{"service", "web"}, {"rebuild", false}, {"attempts", 1}, {"approved", boost::json::array{{{"name", "x"}}}}}));
    REQUIRE_FALSE(bad_entry);
    CHECK(bad_entry.error().message == "step `sample.step`: its parameter `approved` is not of the type the step reads");
}

TEST_CASE("a typed step kind runs with its parameters and the catalog refuses a plan they do not fit") {
    const step_kind kind = typed_step<sample_params>("sample.step", step_role::reading, true, &echo);
    const step_catalog catalog({kind});
    platform_registry platforms;
    manual_clock clk;
    step_environment env{platforms, clk, [](std::chrono::milliseconds) {}};
    env.steps = &catalog;

    auto good = step_with(params_of(sample_params{"api", false, 2, "canary", {}}));
    auto ran = run_step(good, env);
    REQUIRE(ran);
    CHECK(*ran == "api x2 canary 0");

    plan p;
    p.steps = {good, step_with({{"service", "api"}})};
    auto checked = catalog.check(p);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().message == "step 2: step `sample.step`: its parameter `rebuild` is missing");

    p.steps = {good};
    CHECK(catalog.check(p));
    p.steps.push_back(good);
    p.steps.back().kind = "nobody.has.this";
    auto unknown = catalog.check(p);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().message == "step 2 (`nobody.has.this`): no such step kind");

    // The run function is never reached with parameters that do not fit.
    auto refused = run_step(step_with({{"service", "api"}}), env);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == error_kind::invalid_input);
}
