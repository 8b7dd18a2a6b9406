#include "commands/plan/plan.hpp"

#include "commands/plan/health_step.hpp"
#include "commands/plan/step_params.hpp"
#include "core/json_fields.hpp"

#include "core/sha256.hpp"
#include "storage/canonical_json.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace opsbot::commands {
namespace {

boost::json::value step_to_json(const plan_step& step) {
    return boost::json::object{
        {"description", step.description},
        {"kind", step.kind},
        {"params", step.params},
        {"timeout_s", step.timeout.count()},
    };
}


}  // namespace

boost::json::value plan::to_json() const {
    boost::json::array step_array;
    for (const auto& s : steps) {
        step_array.push_back(step_to_json(s));
    }
    boost::json::array impact_array;
    for (const auto& line : impact) {
        impact_array.push_back(boost::json::string(line));
    }
    return boost::json::object{
        {"family", family},           {"title", title},         {"service", service},
        {"environment", environment}, {"steps", step_array},    {"impact", impact_array},
        {"next_step_on_failure", next_step_on_failure}, {"request", request},
    };
}

std::string plan::digest() const {
    // Only what the plan *does* is bound by the approval; wording changes do not invalidate it.
    boost::json::array step_array;
    for (const auto& s : steps) {
        step_array.push_back(boost::json::object{{"kind", s.kind}, {"params", s.params}});
    }
    boost::json::object bound{
        {"family", family}, {"service", service}, {"environment", environment}, {"steps", step_array}};
    return sha256_hex(storage::canonical_json(bound));
}

plan_step health_check_step(const std::string& url) {
    plan_step check;
    check.kind = "health.check";
    check.description = fmt::format("GET {} and require {{\"status\":\"ok\"}}", url);
    check.params = params_of(health_check_params{url});
    check.timeout = std::chrono::seconds{30};
    return check;
}

plan plan_from_json(const boost::json::value& json) {
    const auto& obj = json.as_object();
    plan out;
    out.family = json_string(obj, "family");
    out.title = json_string(obj, "title");
    out.service = json_string(obj, "service");
    out.environment = json_string(obj, "environment");
    out.next_step_on_failure = json_string(obj, "next_step_on_failure");
    if (const auto* steps = obj.if_contains("steps"); steps != nullptr && steps->is_array()) {
        for (const auto& s : steps->get_array()) {
            const auto& so = s.as_object();
            plan_step step;
            step.description = json_string(so, "description");
            step.kind = json_string(so, "kind");
            if (const auto* p = so.if_contains("params"); p != nullptr && p->is_object()) {
                step.params = p->get_object();
            }
            if (const auto* t = so.if_contains("timeout_s"); t != nullptr && t->is_int64()) {
                step.timeout = std::chrono::seconds{t->get_int64()};
            }
            out.steps.push_back(std::move(step));
        }
    }
    if (const auto* request = obj.if_contains("request"); request != nullptr && request->is_object()) {
        out.request = request->get_object();
    }
    if (const auto* impact = obj.if_contains("impact"); impact != nullptr && impact->is_array()) {
        for (const auto& line : impact->get_array()) {
            if (line.is_string()) {
                out.impact.emplace_back(line.get_string());
            }
        }
    }
    return out;
}

}  // namespace opsbot::commands
