// The App Home view builder (issue 15 item 5): sections, who sees buttons, Slack's 100-block limit, redaction.
#include "bot/home_view.hpp"

#include "bot/plan_message.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

namespace {

using namespace opsbot::bot;
using opsbot::redactor;
namespace json = boost::json;

home_plan plan(int n, const std::string& requester = "U01") {
    home_plan p;
    p.action_id = fmt::format("A-{}", n);
    p.title = "Roll back web (production)";
    p.requester = requester;
    p.digest = "d1g35t";
    p.expires_at = "2026-12-06T12:15:00Z";
    p.steps = {"Promote dpl_Prev2 to production", "Check /health"};
    p.approvers = {"U02", "U03"};
    return p;
}

home_snapshot full_snapshot() {
    home_snapshot s;
    s.updated_at = "2026-12-06T12:00:00Z";
    s.services = {{"web", "Vercel", "`dpl_Live3` · commit `abc1234` · 2 h ago · READY", ":white_check_mark: /health: ok"}};
    s.plans = {plan(1)};
    s.running = {{"A-2", "Roll back api (production)", "U01", 2, 3, "Wait for the deployment"}};
    s.locks = {{"api", "production", "A-2", "rollback", "2026-12-06T12:30:00Z"}};
    s.watches = {{"A-0", "Deploy web (production)", 12, 1}};
    for (long long i = 1; i <= 10; ++i) {
        s.audit.push_back({i, "2026-12-06T11:59:00Z", "U01", "A-1", "action.requested"});
    }
    return s;
}

const json::array& blocks_of(const json::object& view) { return view.at("blocks").as_array(); }

std::string all_text(const json::value& v) {
    std::string out;
    if (const auto* o = v.if_object()) {
        for (const auto& [key, value] : *o) {
            if (key == "text" && value.is_string()) {
                out += std::string(value.get_string()) + "\n";
            } else {
                out += all_text(value);
            }
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a) {
            out += all_text(e);
        }
    }
    return out;
}

/// The buttons of the view: (action_id, value).
std::vector<std::pair<std::string, std::string>> buttons(const json::object& view) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& b : blocks_of(view)) {
        if (b.at("type").as_string() != "actions") {
            continue;
        }
        for (const auto& e : b.at("elements").as_array()) {
            out.emplace_back(std::string(e.at("action_id").as_string()), std::string(e.at("value").as_string()));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("the Home view shows every part with its data") {
    redactor none;
    auto view = build_home_view(full_snapshot(), "U04", none);
    CHECK(view.at("type").as_string() == "home");
    const std::string text = all_text(view);
    for (const char* part : {"Production", "Waiting for approval", "Running", "Locks", "Post-deploy watches",
                             "Recent audit entries"}) {
        CHECK(text.find(part) != std::string::npos);
    }
    CHECK(text.find("dpl_Live3") != std::string::npos);
    CHECK(text.find("/health: ok") != std::string::npos);
    CHECK(text.find("A-1") != std::string::npos);
    CHECK(text.find("step 2 of 3: Wait for the deployment") != std::string::npos);
    CHECK(text.find("`api` production held by `A-2`") != std::string::npos);
    CHECK(text.find("12 min left") != std::string::npos);
    CHECK(text.find("#10 ") != std::string::npos);
    CHECK(blocks_of(view).size() <= home_block_limit);
}

TEST_CASE("Approve and Deny show only to an approver who is not the requester and has not approved yet") {
    redactor none;
    auto snapshot = full_snapshot();
    SECTION("an approver sees the channel message's buttons, same action ids and value") {
        auto shown = buttons(build_home_view(snapshot, "U02", none));
        REQUIRE(shown.size() == 2);
        CHECK(shown[0] == std::pair<std::string, std::string>{approve_button, "A-1:d1g35t"});
        CHECK(shown[1] == std::pair<std::string, std::string>{deny_button, "A-1:d1g35t"});
    }
    SECTION("a user who may not approve sees the plan without buttons") {
        auto view = build_home_view(snapshot, "U04", none);
        CHECK(buttons(view).empty());
        CHECK(all_text(view).find("Promote dpl_Prev2 to production") != std::string::npos);
    }
    SECTION("the requester sees no buttons, even when an approver") {
        snapshot.plans = {plan(1, "U02")};
        CHECK(buttons(build_home_view(snapshot, "U02", none)).empty());
        CHECK(buttons(build_home_view(snapshot, "U03", none)).size() == 2);
    }
    SECTION("an approver who approved already sees none") {
        snapshot.plans[0].approved_by = {"U03"};
        CHECK(buttons(build_home_view(snapshot, "U03", none)).empty());
    }
}

TEST_CASE("a Home view never passes 100 blocks: long lists end with and N more and later parts still show") {
    redactor none;
    auto snapshot = full_snapshot();
    snapshot.plans.clear();
    for (int i = 1; i <= 200; ++i) {
        snapshot.plans.push_back(plan(i));
    }
    for (int i = 0; i < 60; ++i) {
        snapshot.running.push_back({fmt::format("A-{}", 1000 + i), "Rotate X", "U01", 1, 4, "Generate"});
    }
    for (int i = 0; i < 40; ++i) {
        snapshot.locks.push_back({fmt::format("svc{}", i), "production", "U01", "freeze", "2026-12-06T13:00:00Z"});
    }
    auto view = build_home_view(snapshot, "U02", none);  // an approver: two blocks per plan
    const auto& blocks = blocks_of(view);
    CHECK(blocks.size() <= home_block_limit);
    CHECK(blocks.size() >= home_block_limit - 3);  // the budget is used, not wasted
    const std::string text = all_text(view);
    // How many plans made it: their sections carry block ids home_plan_A-N.
    std::size_t plans_shown = 0;
    for (const auto& b : blocks) {
        if (const auto* id = b.as_object().if_contains("block_id");
            id != nullptr && id->as_string().starts_with("home_plan_A-")) {
            ++plans_shown;
        }
    }
    CHECK(plans_shown > 0);
    CHECK(plans_shown < 200);
    CHECK(text.find(fmt::format("…and {} more", 200 - plans_shown)) != std::string::npos);
    // Locks (41) are lines of one section: 15 shown, the rest counted.
    CHECK(text.find("…and 26 more") != std::string::npos);
    for (const char* part : {"Running", "Locks", "Post-deploy watches", "Recent audit entries"}) {
        CHECK(text.find(part) != std::string::npos);
    }
    CHECK(text.find("#10 ") != std::string::npos);
}

TEST_CASE("secrets never reach the Home view") {
    redactor r;
    r.add_secret("s3cr3t-value-of-the-db", "DATABASE_URL");
    auto snapshot = full_snapshot();
    snapshot.locks[0].reason = "rotating s3cr3t-value-of-the-db now";
    snapshot.plans[0].steps.push_back("Write s3cr3t-value-of-the-db to Railway");
    snapshot.audit[0].actor = "xoxb-1234567890-abcdefghijkl";
    snapshot.services[0].live_line = ":x: postgres://app:hunter2pass@db.internal/app refused";
    auto view = build_home_view(snapshot, "U02", r);
    const std::string text = json::serialize(view);
    CHECK(text.find("s3cr3t-value-of-the-db") == std::string::npos);
    CHECK(text.find("xoxb-1234567890") == std::string::npos);
    CHECK(text.find("hunter2pass") == std::string::npos);
    CHECK(text.find("[redacted:DATABASE_URL]") != std::string::npos);
    // The buttons' values (action id and digest) are not texts: left as they are, so the click still routes.
    CHECK(buttons(view).size() == 2);
}
