// The break-glass line and "Acknowledge break-glass" button of the plan message (issue #7): shown while
// unreviewed, replaced by who acknowledged it, never beside the approval buttons.
#include "bot/plan_message.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace {

using namespace opsbot::bot;
namespace json = boost::json;

opsbot::commands::plan sample_plan() {
    opsbot::commands::plan p;
    p.family = "rollback";
    p.title = "Roll back web (production, Vercel)";
    p.service = "web";
    p.environment = "production";
    opsbot::commands::plan_step s;
    s.kind = "vercel.rollback";
    s.description = "Instantly roll back web to `dpl_A`";
    p.steps.push_back(s);
    return p;
}

plan_view glass_view(const opsbot::commands::plan& p, const std::string& state) {
    plan_view v;
    v.action_id = "A-3";
    v.requester = "U01";
    v.state = state;
    v.digest = p.digest();
    v.break_glass_reason = "site <down> & approvers asleep";
    return v;
}

std::string all_text(const message& m) { return m.text + json::serialize(m.blocks); }

/// The action ids of every button in the message.
std::vector<std::string> buttons(const message& m) {
    std::vector<std::string> out;
    for (const auto& b : m.blocks) {
        const auto& o = b.as_object();
        if (o.at("type").as_string() != "actions") {
            continue;
        }
        for (const auto& e : o.at("elements").as_array()) {
            out.emplace_back(e.as_object().at("action_id").as_string());
        }
    }
    return out;
}

}  // namespace

TEST_CASE("an unreviewed break-glass shows the reason, escaped, and the acknowledge button with the action's value") {
    auto p = sample_plan();
    auto m = render_plan_message(p, glass_view(p, "running"));
    const auto text = all_text(m);
    CHECK(text.find("Break-glass") != std::string::npos);
    CHECK(text.find("unreviewed") != std::string::npos);
    CHECK(text.find("site &lt;down&gt; &amp; approvers asleep") != std::string::npos);
    // Running, it also carries Stop (issue 12).
    CHECK(buttons(m) == std::vector<std::string>{ack_break_glass_button, stop_button});
    auto block = break_glass_ack_block("A-3", p.digest());
    std::string value(block.at("elements").as_array()[0].as_object().at("value").as_string());
    std::string id;
    std::string digest;
    REQUIRE(parse_button_value(value, id, digest));
    CHECK(id == "A-3");
    CHECK(digest == p.digest());
}

TEST_CASE("an acknowledged break-glass names the reviewer and has no button") {
    auto p = sample_plan();
    auto v = glass_view(p, "succeeded");
    v.break_glass_acknowledged_by = "U02";
    auto m = render_plan_message(p, v);
    CHECK(all_text(m).find("acknowledged by <@U02>") != std::string::npos);
    CHECK(all_text(m).find("unreviewed") == std::string::npos);
    CHECK(buttons(m).empty());
}

TEST_CASE("a plan without break-glass has no break-glass line or button") {
    auto p = sample_plan();
    plan_view v = glass_view(p, "succeeded");
    v.break_glass_reason.clear();
    auto m = render_plan_message(p, v);
    CHECK(all_text(m).find("Break-glass") == std::string::npos);
    CHECK(buttons(m).empty());
}
