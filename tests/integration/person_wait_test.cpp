// Waits for a person are data, not threads (issue 13 item 3, docs/design.md "Actions and steps"): a manual rotation
// waiting for `/rotate SECRET --continue` stores its wait and lets its worker go, so more rotations can wait than
// there are workers and an emergency /rollback still runs at once; after a restart the rotation keeps waiting, is
// resumed by the new process and finishes on `--continue`.
#include "storage/wait_store.hpp"
#include "tests/integration/rotate_test_world.hpp"

namespace {

using namespace opsbot::rotate_test;

const std::string old_dsn = "https://0ldpublickey0000@o1.ingest.sentry.io/2";
const std::string new_dsn = "https://n3wpublickey1111@o1.ingest.sentry.io/2";

/// The waits stored in the bot's database (a separate connection).
std::vector<storage::person_wait> stored_waits(world& w) {
    storage::database db(w.h->db_path(), storage::open_mode::read_only);
    system_clock clk;
    storage::wait_store waits(db, clk);
    auto all = waits.all();
    REQUIRE(all);
    return *all;
}

/// `/rotate SECRET` by the requester, approved; returns once the bot settled (the rotation waits for its person).
void rotate_until_waiting(world& w, const std::string& secret, const std::string& id) {
    w.h->command(requester, "/rotate", secret);
    REQUIRE(w.h->button(id, "approve"));
    w.h->click(approver_a, id, "approve");
    CHECK(w.h->state_of(id) == "running");
}

std::string thread_of(world& w, const std::string& id) {
    auto plan = w.h->message_of(id);
    REQUIRE(plan);
    std::string out;
    for (const auto& m : messages_in(w.h->slack(), ops_channel, "chat.postMessage")) {
        if (m.thread_ts == plan->ts) {
            out += text_of(m) + "\n";
        }
    }
    return out;
}

}  // namespace

TEST_CASE("with 2 execution threads and 3 manual rotations waiting for people, a /rollback api approved meanwhile runs at once") {
    world w({}, [](harness_options& o) {
        o.execution_threads = 2;
        auto base = o.configure;
        o.configure = [base](stack_config& c) {
            base(c);
            secret_config hook;
            hook.name = "SLACK_WEBHOOK_URL";
            hook.generate = opsbot::secret_generator::manual;
            hook.services = {"api"};
            c.secrets[hook.name] = hook;
        };
    });
    w.h->railway().set_variable("SENTRY_DSN", old_dsn);
    rotate_until_waiting(w, "SENTRY_DSN", "A-1");
    rotate_until_waiting(w, "SENTRY_AUTH_TOKEN", "A-2");
    rotate_until_waiting(w, "SLACK_WEBHOOK_URL", "A-3");
    auto waits = stored_waits(w);
    REQUIRE(waits.size() == 3);  // three waits, no thread each: the two workers are free
    CHECK(waits[0].key == "SENTRY_DSN");
    CHECK(waits[0].step_index == 0);
    CHECK(w.h->active_locks() == 0);

    w.h->command(non_approver, "/rollback", "api");
    REQUIRE(w.h->button("A-4", "approve"));
    w.h->click(approver_b, "A-4", "approve");
    CHECK(w.h->state_of("A-4") == "succeeded");
    CHECK(w.h->railway_rollbacks() == 1);
    for (const char* id : {"A-1", "A-2", "A-3"}) {
        CHECK(w.h->state_of(id) == "running");  // still waiting for their people
    }

    // A continue before the value changed keeps it waiting; after, the rotation goes on on the pool and finishes.
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "Not yet"));
    CHECK(stored_waits(w).size() == 3);
    w.h->railway().set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(stored_waits(w).size() == 2);
    CHECK(w.h->active_locks() == 0);
    CHECK(w.h->audit_ok());
}

TEST_CASE("restart while a rotation waits for its person: the new process resumes it and it finishes on --continue") {
    world w;
    w.h->railway().set_variable("SENTRY_DSN", old_dsn);
    rotate_until_waiting(w, "SENTRY_DSN", "A-1");
    REQUIRE(stored_waits(w).size() == 1);

    w.h->restart();
    CHECK(w.h->state_of("A-1") == "running");  // kept waiting, not reported interrupted
    REQUIRE(stored_waits(w).size() == 1);
    CHECK(contains(thread_of(w, "A-1"), "still waits for <@U01>"));
    CHECK(w.incident_posts().empty());  // no "interrupted" alarm

    // The new process compares with what the first one read before the wait (stored with it).
    CHECK(contains(continue_when_waiting(w, requester, "SENTRY_DSN"), "Not yet"));
    CHECK(contains(send_continue(w, non_approver, "SENTRY_DSN"), "Only <@U01>"));
    w.h->railway().set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 1);
    CHECK(stored_waits(w).empty());
    CHECK(w.h->active_locks() == 0);
    auto events = w.h->audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "step.started") >= 2);
    CHECK(std::find(events.begin(), events.end(), "action.interrupted") == events.end());
    CHECK(contains(text_of(w.incident_posts().at(0)), "succeeded"));
    CHECK(w.h->audit_ok());
}

TEST_CASE("a wait for a person past its deadline ends the rotation failed, by the sweeper, and nothing after it runs") {
    world w({}, [](harness_options& o) {
        o.manual_time = true;
        o.expiry_sweep_interval = std::chrono::seconds{1};
    });
    w.h->railway().set_variable("SENTRY_DSN", old_dsn);
    rotate_until_waiting(w, "SENTRY_DSN", "A-1");
    REQUIRE(stored_waits(w).size() == 1);
    w.h->clock().advance(std::chrono::hours{4});
    REQUIRE(eventually([&] { return w.h->state_of("A-1") == "failed"; }, 30s));
    // The sweeper's thread reports it (not a worker, so settle() does not wait for it): the thread shows it.
    CHECK(eventually([&] { return contains(thread_of(w, "A-1"), "before the deadline"); }, 30s));
    CHECK(stored_waits(w).empty());
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 0);
    CHECK(contains(send_continue(w, requester, "SENTRY_DSN"), "No rotation of `SENTRY_DSN` is waiting"));
}
