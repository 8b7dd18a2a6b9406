#include "commands/plan/step_runner.hpp"

#include "commands/plan/step_kind.hpp"

#include <fmt/format.h>

namespace opsbot::commands {

step_catalog::step_catalog(const std::vector<step_kind>& kinds) {
    for (const auto& kind : kinds) {
        kinds_.insert_or_assign(kind.name, kind);
    }
}

const step_kind* step_catalog::find(std::string_view name) const {
    auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : &it->second;
}

result<void> step_catalog::check(const plan& p) const {
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        const plan_step& step = p.steps[i];
        const step_kind* kind = find(step.kind);
        if (kind == nullptr) {
            return fail(error_kind::invalid_input, fmt::format("step {} (`{}`): no such step kind", i + 1, step.kind));
        }
        if (kind->check_params) {
            if (auto fits = kind->check_params(step); !fits) {
                return fail(error_kind::invalid_input, fmt::format("step {}: {}", i + 1, fits.error().message));
            }
        }
    }
    return {};
}

result<std::string> run_step(const plan_step& step, const step_environment& env) {
    const step_kind* kind = env.steps != nullptr ? env.steps->find(step.kind) : nullptr;
    if (kind == nullptr || !kind->run) {
        return fail(error_kind::internal, fmt::format("no runner for step kind `{}`", step.kind));
    }
    return kind->run(step, env);
}

}  // namespace opsbot::commands
