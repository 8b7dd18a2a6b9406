// The approval message (bot/plan_message.cpp): buttons only while awaiting approval, each carrying
// "<action id>:<digest>", and step icons / state lines that follow the action.
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
    s.params = {{"to", "dpl_A"}};
    p.steps.push_back(s);
    s.kind = "health.check";
    s.description = "GET /health";
    p.steps.push_back(s);
    return p;
}

plan_view awaiting(const opsbot::commands::plan& p) {
    plan_view v;
    v.action_id = "A-7";
    v.requester = "U01";
    v.state = "awaiting_approval";
    v.expires_at = "2026-11-26T10:15:00Z";
    v.digest = p.digest();
    v.required = 2;
    return v;
}

std::vector<json::object> buttons_of(const opsbot::bot::message& m) {
    std::vector<json::object> out;
    for (const auto& b : m.blocks) {
        if (b.as_object().at("type") == json::value("actions")) {
            for (const auto& e : b.as_object().at("elements").as_array()) {
                out.push_back(e.as_object());
            }
        }
    }
    return out;
}

std::string all_text(const opsbot::bot::message& m) {
    return m.text + "\n" + json::serialize(m.blocks);
}

}  // namespace

TEST_CASE("a plan awaiting approval has Approve, Deny and Cancel carrying the action id and digest") {
    auto p = sample_plan();
    auto m = render_plan_message(p, awaiting(p));
    auto buttons = buttons_of(m);
    REQUIRE(buttons.size() == 3);
    CHECK(buttons[0].at("action_id") == json::value("approve"));
    CHECK(buttons[1].at("action_id") == json::value("deny"));
    CHECK(buttons[2].at("action_id") == json::value("cancel"));
    for (const auto& b : buttons) {
        CHECK(b.at("value") == json::value("A-7:" + p.digest()));
    }
    CHECK(buttons[0].contains("confirm"));  // approving a destructive action asks once more
    CHECK(all_text(m).find("Awaiting approval* (0 of 2)") != std::string::npos);
    CHECK(all_text(m).find("A-7 · Roll back web") != std::string::npos);
}

TEST_CASE("a decided or ended plan has no buttons") {
    auto p = sample_plan();
    for (const char* state : {"approved", "succeeded", "failed", "denied", "cancelled", "expired", "interrupted",
                              "stopped"}) {
        auto v = awaiting(p);
        v.state = state;
        INFO(state);
        CHECK(buttons_of(render_plan_message(p, v)).empty());
    }
    auto dry = awaiting(p);
    dry.dry_run = true;
    CHECK(buttons_of(render_plan_message(p, dry)).empty());
}

TEST_CASE("step icons and outcomes follow the run") {
    auto p = sample_plan();
    auto v = awaiting(p);
    v.state = "failed";
    v.steps = {step_status::succeeded, step_status::failed};
    v.outcomes = {"job succeeded", "unhealthy: db down"};
    v.note = "Denied by U03.";
    auto text = all_text(render_plan_message(p, v));
    CHECK(text.find("✅ 1.") != std::string::npos);
    CHECK(text.find("❌ 2.") != std::string::npos);
    CHECK(text.find("unhealthy: db down") != std::string::npos);
    CHECK(text.find("*Failed*") != std::string::npos);
    v.state = "running";
    v.steps = {step_status::running, step_status::pending};
    text = all_text(render_plan_message(p, v));
    CHECK(text.find("⏳ 1.") != std::string::npos);
    CHECK(text.find("*Running*") != std::string::npos);
}

TEST_CASE("button values parse back, and malformed ones are refused") {
    std::string id;
    std::string digest;
    const std::string d(64, 'a');
    CHECK(parse_button_value("A-12:" + d, id, digest));
    CHECK(id == "A-12");
    CHECK(digest == d);
    CHECK_FALSE(parse_button_value("A-12", id, digest));
    CHECK_FALSE(parse_button_value("A-12:", id, digest));
    CHECK_FALSE(parse_button_value("B-12:" + d, id, digest));
    CHECK_FALSE(parse_button_value("A-12:" + d.substr(1), id, digest));
    CHECK_FALSE(parse_button_value("", id, digest));
}

TEST_CASE("a running plan has one Stop button, bound to the action like the approval buttons") {
    auto p = sample_plan();
    auto v = awaiting(p);
    v.state = "running";
    auto m = render_plan_message(p, v);
    auto buttons = buttons_of(m);
    REQUIRE(buttons.size() == 1);
    CHECK(buttons[0].at("action_id") == json::value(stop_button));
    CHECK(buttons[0].at("value") == json::value("A-7:" + p.digest()));
    CHECK(buttons[0].at("style") == json::value("danger"));
    CHECK(buttons[0].contains("confirm"));
    auto dry = v;
    dry.dry_run = true;
    CHECK(buttons_of(render_plan_message(p, dry)).empty());
}

TEST_CASE("an ended plan's message ends with its audit head, and a stopped one says so") {
    auto p = sample_plan();
    auto v = awaiting(p);
    v.state = "stopped";
    v.audit_head = "#42 3f9a0c1d2e4b";
    auto m = render_plan_message(p, v);
    const auto& last = m.blocks.back().as_object();
    CHECK(last.at("type") == json::value("context"));
    CHECK(json::serialize(last).find("audit #42 3f9a0c1d2e4b") != std::string::npos);
    CHECK(all_text(m).find("*Stopped*") != std::string::npos);
    v.audit_head.clear();
    CHECK(all_text(render_plan_message(p, v)).find("audit #") == std::string::npos);
}
