#include "commands/grammar/family.hpp"

#include "commands/grammar/mrkdwn.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace opsbot::commands {

bool subcommand_binding::is_planned(const parsed_command& command) const {
    if (!plan) {
        return false;
    }
    return !answer || !planned_when || planned_when(command);
}

const subcommand_binding* command_family::binding(std::string_view subcommand) const {
    for (const auto& b : subcommands) {
        if (b.subcommand == subcommand) {
            return &b;
        }
    }
    return nullptr;
}

family_set::family_set(std::vector<family_module> modules) {
    std::vector<step_kind> kinds;
    for (auto& module : modules) {
        for (auto& family : module.commands) {
            if (by_name(family.spec.name) != nullptr || by_command(family.spec.command) != nullptr) {
                throw std::logic_error("two families are named " + family.spec.name);  // a programmer error
            }
            family.run = module.run;
            families_.push_back(std::move(family));
        }
        for (auto& kind : module.steps) {
            kinds.push_back(std::move(kind));
        }
    }
    for (const auto& family : families_) {
        specs_.push_back(&family.spec);
    }
    steps_ = step_catalog(kinds);
}

const command_family* family_set::by_command(std::string_view slash_command) const {
    for (const auto& family : families_) {
        if (family.spec.command == slash_command) {
            return &family;
        }
    }
    return nullptr;
}

const command_family* family_set::by_name(std::string_view name) const {
    for (const auto& family : families_) {
        if (family.spec.name == name) {
            return &family;
        }
    }
    return nullptr;
}

const run_hooks& family_set::hooks_of(std::string_view name) const {
    static const run_hooks none;
    const command_family* f = by_name(name);
    return f != nullptr ? f->run : none;
}

namespace {

const subcommand_binding* binding_of(const family_set& set, std::string_view family, std::string_view subcommand) {
    const command_family* f = set.by_name(family);
    return f != nullptr ? f->binding(subcommand) : nullptr;
}

}  // namespace

bool family_set::is_planned(const parsed_command& command) const {
    const subcommand_binding* b = binding_of(*this, command.family, command.subcommand);
    return b != nullptr && b->is_planned(command);
}

reply family_set::answer(const parsed_command& command, const command_context& context) const {
    const subcommand_binding* b = binding_of(*this, command.family, command.subcommand);
    if (b == nullptr || !b->answer) {
        return reply{code_span(command.display_name()) + " is not available yet in this build.", false, false};
    }
    return b->answer(command, context);
}

result<plan> family_set::plan_request(const stored_request& request, const plan_context& context) const {
    const subcommand_binding* b = binding_of(*this, request.family, request.subcommand);
    if (b == nullptr || !b->plan) {
        return fail(error_kind::unavailable, fmt::format("`/{}` cannot be planned in this build", request.family));
    }
    auto planned = b->plan(request, context);
    if (planned) {
        planned->request = request.to_json();
    }
    return planned;
}

result<plan> family_set::plan_again(const boost::json::object& json, const plan_context& context) const {
    return plan_request(stored_request::from_json(json), context);
}

}  // namespace opsbot::commands
