// The executor checks each step's precondition (step_kind::precondition) right before the step acts, after its
// `step.started` entry (docs/design.md "Actions and steps"): a refusal fails the step, is audited as refused, ends
// the run like any failure (thread, incident channel, locks freed), and the step's act part never runs.
#include "commands/audit/module.hpp"
#include "commands/database/module.hpp"
#include "commands/deploy/module.hpp"
#include "commands/incident/module.hpp"
#include "commands/rollback/module.hpp"
#include "commands/rotate/module.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/bot_harness.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <atomic>

namespace {

using namespace opsbot;
using namespace opsbot::testing;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

constexpr const char* refusal = "the live deployment is being rebuilt by someone else";

/// bot/families.cpp's families, with railway.rollback's precondition refusing and its act part counted.
commands::family_set refusing_families(std::atomic<int>& checks, std::atomic<int>& acts) {
    auto rollback = commands::rollback_module();
    bool found = false;
    for (auto& kind : rollback.steps) {
        if (kind.name != "railway.rollback") {
            continue;
        }
        found = true;
        kind.precondition = [&checks](const commands::plan_step&, const commands::step_environment&) -> result<void> {
            ++checks;
            return fail(error_kind::conflict, refusal);
        };
        kind.act = [&acts, act = kind.act](const commands::plan_step& step, const commands::step_environment& env) {
            ++acts;
            return act(step, env);
        };
    }
    REQUIRE(found);
    return commands::family_set({commands::deploy_module(), std::move(rollback), commands::rotate_module(),
                                 commands::database_module(), commands::audit_module(), commands::incident_module()});
}

/// The detail of the action's audit entries named `event`.
std::vector<boost::json::object> audit_details(bot_harness& h, const std::string& action, const std::string& event) {
    storage::database db(h.db_path(), storage::open_mode::read_only);
    system_clock clk;
    storage::audit_log audit(db, clk);
    auto entries = audit.entries();
    REQUIRE(entries);
    std::vector<boost::json::object> out;
    for (const auto& e : *entries) {
        if (e.event == event && e.action && e.action->str() == action) {
            out.push_back(boost::json::parse(e.detail_json).as_object());
        }
    }
    return out;
}

}  // namespace

TEST_CASE("a step whose precondition refuses never acts: failed, audited as refused, reported, its lock freed") {
    std::atomic<int> checks{0};
    std::atomic<int> acts{0};
    const auto families = refusing_families(checks, acts);
    harness_options o;
    o.families = &families;
    bot_harness h(o);
    h.command(requester, "/rollback", "api");
    h.click(approver_a, "A-1", "approve");

    CHECK(h.state_of("A-1") == "failed");
    CHECK(checks == 1);
    CHECK(acts == 0);                   // the act part never ran …
    CHECK(h.railway_rollbacks() == 0);  // … so nothing reached the platform
    CHECK(h.active_locks() == 0);

    auto events = h.audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "step.started") == 1);
    const auto failed = audit_details(h, "A-1", "step.failed");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].at("refused_by").as_string() == "precondition");
    CHECK(failed[0].at("kind").as_string() == "railway.rollback");
    CHECK(contains(std::string(failed[0].at("error").as_string()), refusal));
    CHECK(std::find(events.begin(), events.end(), "step.succeeded") == events.end());

    auto message = h.message_of("A-1");
    REQUIRE(message);
    std::string thread;
    for (const auto& m : messages_in(h.slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == message->ts) {
            thread += text_of(m);
        }
    }
    CHECK(contains(thread, "*Failed*"));
    CHECK(contains(thread, refusal));
    auto incidents = messages_in(h.slack(), incident_channel, "chat.postMessage");
    REQUIRE(incidents.size() == 1);
    CHECK(contains(text_of(incidents[0]), refusal));
    CHECK(h.audit_ok());
}
