// A rotation resumed after a restart (issue 13 item 3, docs/design.md "Actions and steps"): its secret vault is empty
// in the new process — values are never stored — so a rotation whose steps left need the new value stops at once
// when it resumes, with a clear message (what ran, what did not, the old key's state, the command to finish), audited,
// in the incident channel, its locks freed; no step that needs the value is attempted and nothing secret is shown.
#include "storage/poll_store.hpp"
#include "tests/integration/rotate_test_world.hpp"

namespace {

using namespace opsbot::rotate_test;

/// A deployment that settles only when the test says so (fake_railway::settle_deployments_at).
constexpr int never = 1'000'000;

std::vector<storage::platform_poll> stored_polls(bot_harness& h) {
    storage::database db(h.db_path(), storage::open_mode::read_only);
    system_clock clk;
    storage::poll_store polls(db, clk);
    auto all = polls.all();
    REQUIRE(all);
    return *all;
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

/// The details of the action's audit entries named `event`, as stored.
std::vector<std::string> audit_details(world& w, const std::string& action, const std::string& event) {
    storage::database db(w.h->db_path(), storage::open_mode::read_only);
    system_clock clk;
    storage::audit_log audit(db, clk);
    auto entries = audit.entries();
    REQUIRE(entries);
    std::vector<std::string> out;
    for (const auto& e : *entries) {
        if (e.event == event && e.action && e.action->str() == action) {
            out.push_back(e.detail_json);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("restart while a rotation's redeploy polls: resumed, it stops at once and says how to finish, nothing secret") {
    world w({}, [](harness_options& o) {
        o.railway_deploy_polls = never;
        auto base = o.configure;
        // No shutdown grace: the stop leaves the unsettled poll stored at once for the new process.
        o.configure = [base](stack_config& c) {
            base(c);
            c.shutdown_grace = std::chrono::seconds{0};
        };
    });
    const std::string old_id = w.resend.add_key("opsbot-20261101-000000");
    w.h->command(requester, "/rotate", "RESEND_API_KEY");
    auto approve = w.h->button("A-1", "approve");
    REQUIRE(approve);
    w.h->click_now(approver_a, *approve);
    REQUIRE(eventually([&] { return stored_polls(*w.h).size() == 1; }, 30s));
    const auto written = w.h->railway().written_values("RESEND_API_KEY");
    REQUIRE(written.size() == 1);
    const std::string new_value = written[0];

    w.h->restart([&] { w.h->railway().settle_deployments_at(1); });
    w.logs.all_levels();
    REQUIRE(eventually([&] { return w.h->state_of("A-1") == "failed"; }, 30s));
    w.h->settle();

    // Stopped at once: its poll taken, its lock freed, and no step that needs the new value attempted.
    CHECK(stored_polls(*w.h).empty());
    CHECK(w.h->active_locks() == 0);
    CHECK(first_seq(w.resend.calls(), "verify") == 0);
    CHECK(first_seq(w.resend.calls(), "revoke") == 0);
    CHECK_FALSE(w.resend.key(old_id)->revoked);
    CHECK(w.h->railway().written_values("RESEND_API_KEY").size() == 1);  // the write ran once, before the restart

    const std::string thread = thread_of(w, "A-1");
    CHECK(contains(thread, "opsbot restarted while step 3 (`railway.redeploy`) waited"));
    CHECK(contains(thread, "secret values are never stored"));
    CHECK(contains(thread, "Not run: steps 4–6; those that need the new value: step 5: Verify the new RESEND_API_KEY"));
    CHECK(contains(thread, "step 6: Revoke the old RESEND_API_KEY"));
    CHECK(contains(thread, "*not* revoked: it is still valid"));
    CHECK(contains(thread, "run `/rotate RESEND_API_KEY` again"));
    CHECK_FALSE(contains(thread, "still waits"));  // not announced as resumed
    REQUIRE(w.incident_posts().size() == 1);
    const std::string notice = text_of(w.incident_posts().at(0));
    CHECK(contains(notice, "failed"));
    CHECK(contains(notice, "run `/rotate RESEND_API_KEY` again"));

    const auto failed = audit_details(w, "A-1", "step.failed");
    REQUIRE(failed.size() == 1);
    CHECK(contains(failed[0], "not_resumed"));
    CHECK(contains(failed[0], "\"index\":3"));
    auto events = w.h->audit_events("A-1");
    CHECK(std::find(events.begin(), events.end(), "action.failed") != events.end());
    CHECK(w.leaks_of(new_value).empty());
    CHECK(w.h->audit_ok());
}
