// A rotation that waits for a person holds no lock while it waits (issue 12 item 8, docs/design.md "Actions and steps"):
// the executor releases the action's locks before manual.wait and claims them again right after it; a refusal then
// ends the action with "lock busy" and nothing after it runs. Stop ends the wait at once.
#include "tests/integration/rotate_test_world.hpp"

namespace {

using namespace opsbot::rotate_test;

const std::string old_dsn = "https://0ldpublickey0000@o1.ingest.sentry.io/2";
const std::string new_dsn = "https://n3wpublickey1111@o1.ingest.sentry.io/2";

/// `/rotate SENTRY_DSN` (manual, on api and web) approved and waiting for `--continue`, its locks released.
void waiting_rotation(world& w) {
    w.h->railway().set_variable("SENTRY_DSN", old_dsn);
    approve_and_reach_manual_step(w, "SENTRY_DSN");
    REQUIRE(eventually([&] { return w.h->active_locks() == 0; }, 30s));
}

std::string thread_text(world& w) {
    auto plan = w.h->message_of("A-1");
    REQUIRE(plan);
    std::string out;
    for (const auto& m : messages_in(w.h->slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == plan->ts) {
            out += text_of(m);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("while a manual rotation of a secret on api waits, /rollback api is approved and runs, then it goes on") {
    world w;
    waiting_rotation(w);

    w.h->command(non_approver, "/rollback", "api");
    REQUIRE(w.h->button("A-2", "approve"));
    w.h->click(approver_b, "A-2", "approve");
    CHECK(w.h->state_of("A-2") == "succeeded");
    CHECK(w.h->railway_rollbacks() == 1);
    CHECK(w.h->state_of("A-1") == "running");  // still waiting for its person

    w.h->railway().set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 1);
    CHECK(w.h->active_locks() == 0);
    // Locks: claimed (api, web), released before the wait, claimed again after it, released at the end.
    auto events = w.h->audit_events("A-1");
    std::vector<std::string> locks_and_steps;
    for (const auto& e : events) {
        if (e.starts_with("lock.") || e == "step.started" || e == "step.succeeded") {
            locks_and_steps.push_back(e);
        }
    }
    REQUIRE(locks_and_steps.size() >= 8);
    CHECK(std::vector<std::string>(locks_and_steps.begin(), locks_and_steps.begin() + 8) ==
          std::vector<std::string>{"lock.claimed", "lock.claimed", "step.started", "lock.released", "lock.released",
                                   "step.succeeded", "lock.claimed", "lock.claimed"});
    CHECK(w.h->audit_ok());
}

TEST_CASE("after the wait a lock taken meanwhile stops the rotation with lock busy and nothing after it runs") {
    world w;
    waiting_rotation(w);
    w.h->command(approver_b, "/deploy", "lock api production \"hold during the migration\"");
    REQUIRE(w.h->active_locks() == 1);

    w.h->railway().set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "failed");
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 0);
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 0);
    CHECK(w.h->active_locks() == 1);  // the freeze stays; the rotation holds nothing
    const auto thread = thread_text(w);
    CHECK(contains(thread, "lock busy: api production is locked by U03"));
    CHECK(contains(thread, "nothing after it runs"));
    CHECK(contains(text_of(w.incident_posts().at(0)), "failed"));
}

TEST_CASE("Stop while a rotation waits for a person ends the wait at once and nothing after it runs") {
    world w;
    waiting_rotation(w);
    auto stop = w.h->button("A-1", "stop");
    REQUIRE(stop);
    w.h->click(approver_b, "A-1", "stop");  // an approver of /rotate; the worker is parked while it waits
    REQUIRE(eventually([&] { return w.h->state_of("A-1") == "stopped"; }, 30s));
    w.h->settle();
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 0);
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 0);
    CHECK(w.h->active_locks() == 0);
    CHECK(contains(final_text(w), "stopped by U03 while it waited"));
    CHECK(contains(thread_text(w), "*Stopped* by <@U03> at step 1 of"));
    CHECK(contains(text_of(w.incident_posts().at(0)), "was stopped"));
    auto events = w.h->audit_events("A-1");
    CHECK(std::find(events.begin(), events.end(), "step.stopped") != events.end());
    CHECK(std::find(events.begin(), events.end(), "action.stopped") != events.end());
    // A continue afterwards finds nothing waiting.
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "No rotation of `SENTRY_DSN` is waiting"));
}
