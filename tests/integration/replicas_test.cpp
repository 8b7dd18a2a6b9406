// Several replicas on one PostgreSQL (issue 14 item 4): real `opsbot run` processes, each with its own Socket Mode
// link to one Slack simulator, sharing one database on the test server. The simulator sends each envelope to the link
// a test names, or spreads them over the links (sim::spread_connections) as Slack does. What must hold: one execution
// whichever replica gets which click; an owner's death noticed within its lease, its acting step never re-run and its
// waiting step resumed elsewhere; a rolling restart loses no envelope and no action; a PostgreSQL restart under the
// bot loses no state (tests/integration/replica_db_restart_test.cpp).
#include "tests/support/replica_cluster.hpp"

namespace {

using namespace opsbot::testing;
using namespace std::chrono_literals;

/// The action's plan message shows it ended (its final word), whichever replica wrote it.
bool ended(cluster& c, const std::string& action) {
    const std::string state = c.state_of(action);
    return state == "succeeded" || state == "failed" || state == "denied" || state == "interrupted";
}

/// `/rotate SENTRY_DSN` (a manual rotation, A-1, of the value old_dsn at Railway) requested and approved on `replica`:
/// returns once its wait for its person is stored.
void rotation_waiting_on(cluster& c, std::size_t replica) {
    c.railway.set_variable("SENTRY_DSN", old_dsn);
    auto approve = c.plan(requester, "/rotate", "SENTRY_DSN", "A-1", replica);
    REQUIRE_FALSE(c.click(approver_a, approve, replica).empty());
    REQUIRE(eventually([&] { return c.waits_stored() == 1; }, 30s));
}

long count_of(const std::vector<std::string>& events, const std::string& event) {
    return std::count(events.begin(), events.end(), event);
}

}  // namespace

TEST_CASE("two approvers click the same plan on two replicas at the same moment: it runs once", "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    long steps = 0;
    for (int round = 1; round <= 3; ++round) {
        const std::string id = fmt::format("A-{}", round);
        INFO(id);
        auto approve = c.plan(requester, "/rollback", "api", id, r1);
        // Both clicks leave the simulator back to back, one on each replica's link.
        REQUIRE_FALSE(c.click(approver_a, approve, r1).empty());
        REQUIRE_FALSE(c.click(approver_b, approve, r2).empty());
        REQUIRE(eventually([&] { return ended(c, id); }, 60s));
        CHECK(c.state_of(id) == "succeeded");
        auto events = c.audit_events(id);
        CHECK(count_of(events, "action.approved") == 1);
        CHECK(count_of(events, "action.running") == 1);
        // Each step started once and succeeded, as many as in the first round (a second run would add starts).
        CHECK(count_of(events, "step.started") == count_of(events, "step.succeeded"));
        if (round == 1) {
            steps = count_of(events, "step.started");
        }
        CHECK(count_of(events, "step.started") == steps);
    }
    CHECK(c.railway.count_operation("deploymentRollback") == 3);
    CHECK(c.audit_ok());
    CHECK(c.no_secret_logged());
}

TEST_CASE("approve and deny race on two replicas: one outcome, and a denied plan never reaches the platform",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    std::size_t ran = 0;
    for (int round = 1; round <= 4; ++round) {
        const std::string id = fmt::format("A-{}", round);
        INFO(id);
        auto approve = c.plan(requester, "/rollback", "api", id, round % 2 == 0 ? r1 : r2);
        plan_button deny = approve;
        deny.action_id = "deny";
        // The order of the two sends alternates: neither replica is always first.
        const bool approve_first = round % 2 == 1;
        REQUIRE_FALSE(c.click(approve_first ? approver_a : approver_b, approve_first ? approve : deny, r1).empty());
        REQUIRE_FALSE(c.click(approve_first ? approver_b : approver_a, approve_first ? deny : approve, r2).empty());
        REQUIRE(eventually([&] { return ended(c, id); }, 60s));
        const std::string state = c.state_of(id);
        auto events = c.audit_events(id);
        CHECK((state == "succeeded" || state == "denied"));
        // Exactly one decision is recorded: the other click found it decided.
        CHECK(count_of(events, "action.approved") + count_of(events, "action.denied") == 1);
        if (state == "succeeded") {
            ++ran;
            CHECK(count_of(events, "action.running") == 1);
        } else {
            CHECK(count_of(events, "action.running") == 0);
        }
        CHECK(c.railway.count_operation("deploymentRollback") == ran);
    }
    CHECK(c.audit_ok());
}

TEST_CASE("kill -9 of the replica running an action: another reports it interrupted within lease + 5 s, never "
          "re-runs it, and keeps its lock until an approver frees it",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    auto approve = c.plan(requester, "/rollback", "api", "A-1", r1);
    // deploymentRollback reaches Railway and its answer is held: the step is acting on r1 when r1 dies.
    c.railway.knobs().hold_answer({"POST", "deploymentRollback"});
    REQUIRE_FALSE(c.click(approver_a, approve, r1).empty());
    REQUIRE(c.railway.knobs().wait_blocked(1, 30s));
    CHECK(c.state_of("A-1") == "running");

    const auto killed_at = std::chrono::steady_clock::now();
    c.kill(r1);
    REQUIRE(c.slack.wait_for([&] { return c.reported_interrupted("A-1"); }, c.lease + 20s));
    const auto noticed = std::chrono::steady_clock::now() - killed_at;
    INFO("reported " << std::chrono::duration_cast<std::chrono::milliseconds>(noticed).count() << " ms after kill -9");
    CHECK(noticed <= c.lease + 5s);
    CHECK(c.state_of("A-1") == "interrupted");
    c.railway.knobs().release();  // Railway answers again: nobody may act for A-1 any more

    // The step may still have been acting (a slow replica looks like a dead one), so its lock stays held, and the
    // report says how to free it once checked.
    CHECK(c.active_locks() == 1);
    CHECK(contains(c.incident_text("A-1"), "/deploy unlock api production"));
    // A second rollback is refused while the lock stands; an approver frees it; then it runs, on the live replica.
    CHECK(contains(c.answer(requester, "/rollback", "api", r2), "is locked by A-1"));
    CHECK(contains(c.answer(approver_a, "/deploy", "unlock api production", r2), "unlocked"));
    CHECK(c.active_locks() == 0);
    auto second = c.plan(requester, "/rollback", "api", "A-2", r2);
    REQUIRE_FALSE(c.click(approver_b, second, r2).empty());
    REQUIRE(eventually([&] { return ended(c, "A-2"); }, 60s));
    CHECK(c.state_of("A-2") == "succeeded");

    auto events = c.audit_events("A-1");
    CHECK(count_of(events, "action.running") == 1);
    CHECK(count_of(events, "step.started") == 1);
    // Only A-2's request: A-1's was sent once, before the kill, and never again.
    CHECK(c.railway.count_operation("deploymentRollback") == 2);
    CHECK(c.audit_has_event("replica.taken_over"));
    CHECK(c.audit_ok());
}

TEST_CASE("a replica paused past its lease (slow, not dead): the action is reported interrupted and keeps its lock "
          "while its step may act, and the paused replica, resumed, starts nothing more and frees the lock",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    c.start();
    auto approve = c.plan(requester, "/rollback", "api", "A-1", r1);
    c.railway.knobs().hold_answer({"POST", "deploymentRollback"});
    REQUIRE_FALSE(c.click(approver_a, approve, r1).empty());
    REQUIRE(c.railway.knobs().wait_blocked(1, 30s));

    c.signal(r1, SIGSTOP);  // its step is acting (Railway holds the answer) and its heartbeats stop
    REQUIRE(c.slack.wait_for([&] { return c.reported_interrupted("A-1"); }, c.lease + 20s));
    CHECK(c.state_of("A-1") == "interrupted");
    CHECK(c.active_locks() == 1);  // model/replicas.pml gap.slow_step_overlap: nobody else may act on api yet

    c.railway.knobs().release();
    c.signal(r1, SIGCONT);
    // The step's answer reaches r1, which finds the run no longer its own: the lock goes, nothing more is sent.
    REQUIRE(eventually([&] { return c.active_locks() == 0; }, 60s));
    CHECK(c.state_of("A-1") == "interrupted");
    auto events = c.audit_events("A-1");
    CHECK(count_of(events, "step.started") == 1);
    CHECK(c.railway.count_operation("deploymentRollback") == 1);
    CHECK(c.audit_ok());
}

TEST_CASE("a rotation waiting for its person on a replica killed with -9 is resumed by another and finishes on "
          "--continue sent to it",
          "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    rotation_waiting_on(c, r1);

    c.kill(r1);
    // r2 takes the wait over within the lease and says so in the plan's thread; the rotation keeps waiting.
    REQUIRE(c.slack.wait_for([&] { return contains(c.thread_of("A-1"), "another took it over"); }, c.lease + 20s));
    CHECK(c.state_of("A-1") == "running");
    CHECK_FALSE(c.reported_interrupted("A-1"));

    CHECK(contains(c.continue_rotation(requester, "SENTRY_DSN", r2), "Not yet"));
    c.railway.set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(c.continue_rotation(requester, "SENTRY_DSN", r2), "Continuing"));
    REQUIRE(eventually([&] { return ended(c, "A-1"); }, 60s));
    CHECK(c.state_of("A-1") == "succeeded");
    CHECK(c.railway.count_operation("serviceInstanceDeployV2") == 1);
    CHECK(c.waits_stored() == 0);
    CHECK(c.active_locks() == 0);
    CHECK(c.audit_ok());
}

TEST_CASE("a --continue sent to one replica reaches the rotation another live replica holds", "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    rotation_waiting_on(c, r1);

    CHECK(contains(c.continue_rotation(non_approver, "SENTRY_DSN", r2), "Only <@U01>"));
    c.railway.set_variable("SENTRY_DSN", new_dsn);
    CHECK(contains(c.continue_rotation(requester, "SENTRY_DSN", r2), "Continuing"));
    REQUIRE(eventually([&] { return ended(c, "A-1"); }, 60s));
    CHECK(c.state_of("A-1") == "succeeded");
    // The replica that held the wait, asked again, knows it is over.
    CHECK(contains(c.continue_rotation(requester, "SENTRY_DSN", r1), "No rotation of `SENTRY_DSN` is waiting"));
    CHECK(c.railway.count_operation("serviceInstanceDeployV2") == 1);
    CHECK(c.audit_ok());
}

TEST_CASE("rolling restart of three replicas while commands flow: no envelope lost, no action lost", "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster_options o;
    o.deploy_polls = 6;  // the rollback below is still being polled when its replica is restarted
    cluster c(*admin, o);
    std::vector<std::size_t> live{c.start(), c.start(), c.start()};

    // An approved rollback whose deployment Railway reports finished only after several polls.
    auto approve = c.plan(requester, "/rollback", "api", "A-1", live[0]);
    REQUIRE_FALSE(c.click(approver_a, approve, live[0]).empty());
    REQUIRE(eventually([&] { return c.polls_stored() == 1; }, 30s));

    command_stream commands(c);  // /deploy help, spread over the live links, until it is stopped
    for (std::size_t k = 0; k < 3; ++k) {
        INFO("restarting replica " << k);
        REQUIRE(commands.wait_for_more(5));
        // Slack stops sending to a link that closes; the stream does the same (docs/slack.md §1.5: nothing can be
        // acked after a close frame), and goes on over the other links meanwhile.
        commands.pause();
        c.stop(live[k]);
        commands.resume();
        REQUIRE(commands.wait_for_more(5));
        live[k] = c.start();
    }
    REQUIRE(commands.wait_for_more(5));
    commands.finish();

    INFO(commands.sent() << " commands sent");
    CHECK(commands.sent() >= 35);
    CHECK(commands.unanswered().empty());  // every envelope acked, with the help text as its answer
    REQUIRE(eventually([&] { return ended(c, "A-1"); }, 90s));
    CHECK(c.state_of("A-1") == "succeeded");
    CHECK(c.railway.count_operation("deploymentRollback") == 1);
    CHECK(c.audit_has_event("replica.taken_over"));  // its poll was resumed by another replica
    CHECK(c.audit_ok());
}

TEST_CASE("the same envelope delivered to two replicas is handled once: the dedupe is in the database", "[postgres]") {
    OPSBOT_PG_URL_OR_SKIP(admin);
    cluster c(*admin);
    const auto r1 = c.start();
    const auto r2 = c.start();
    const std::string envelope = c.slack.send_slash_command(requester, ops_channel, "/rollback", "api", c.link(r1));
    REQUIRE_FALSE(envelope.empty());
    REQUIRE(c.slack.wait_for([&] { return c.button("A-1", "approve").has_value(); }, 60s));
    // Delivered again, with the same envelope id, to the other replica's link (a redelivery after a reconnect).
    REQUIRE(c.slack.resend_envelope(envelope, c.link(r2)));
    REQUIRE(c.slack.wait_for([&] { return c.slack.acks_for(envelope).size() == 2; }, 30s));  // acked by both
    // Had the copy made a second plan, it would be A-2: the next request's plan is A-2 instead, a rotation.
    const auto next = c.plan(requester, "/rotate", "SENTRY_DSN", "A-2", r2);
    CHECK_FALSE(next.message_ts.empty());
    CHECK(contains(text_of(*plan_message(c.slack, "A-2")), "SENTRY_DSN"));
    CHECK(c.state_of("A-1") == "awaiting_approval");
    CHECK(c.audit_ok());
}
