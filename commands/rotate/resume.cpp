#include "commands/rotate/resume.hpp"

#include "commands/plan/step_params.hpp"
#include "commands/rotate/steps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace opsbot::commands {
namespace {

/// Steps whose precondition or run reads what only this run's vault held: the new value, or the keys it listed.
constexpr std::array<std::string_view, 6> needs_vault = {"secret.stage",         "secret.reencrypt",
                                                         "secret.write_railway", "secret.write_vercel",
                                                         "secret.verify",        "secret.revoke"};
/// Steps that put a value in the vault anew: the ones after them do not depend on the stopped process.
constexpr std::array<std::string_view, 2> fills_vault = {"secret.generate", "manual.wait"};

bool is_one_of(const auto& names, const std::string& kind) { return std::ranges::find(names, kind) != names.end(); }

std::string secret_of(const plan& p) {
    auto params = p.steps.empty() ? result<secret_step_params>(fail(error_kind::invalid_input, "no steps"))
                                  : read_params<secret_step_params>(p.steps.front());
    return params ? params->secret : std::string("the secret");
}

bool provider_reset(const plan& p) {
    if (p.steps.empty() || p.steps.front().kind != "secret.generate") {
        return false;
    }
    auto params = read_params<generate_params>(p.steps.front());
    return params && params->generate == secret_generator::posthog;
}

}  // namespace

std::optional<std::string> rotation_cannot_resume(const plan& p, std::size_t at) {
    std::vector<std::size_t> blocked;
    for (std::size_t k = at; k < p.steps.size(); ++k) {
        const std::string& kind = p.steps[k].kind;
        if (blocked.empty() && is_one_of(fills_vault, kind)) {
            return std::nullopt;  // e.g. a person's continue reads the new value back from the platform
        }
        if (is_one_of(needs_vault, kind)) {
            blocked.push_back(k);
        }
    }
    if (blocked.empty()) {
        return std::nullopt;
    }
    const std::string secret = secret_of(p);
    const bool revokes = std::ranges::any_of(blocked, [&](std::size_t k) { return p.steps[k].kind == "secret.revoke"; });
    std::string out = fmt::format(
        "opsbot restarted while step {} (`{}`) waited. The new {} lived only in the memory of the process that "
        "stopped (secret values are never stored), so the steps that need it cannot run and the rotation stops "
        "here.",
        at + 1, p.steps[at].kind, secret);
    out += at == 0 ? std::string(" Done before the restart: nothing but step 1's request.")
                   : fmt::format(" Done before the restart: steps 1–{} (shown done above), and step {}'s request, "
                                 "which was not watched to its end: check it with `/deploy status`.",
                                 at, at + 1);
    const std::size_t first_left = at + 2;  // 1-based: the step after the one that waited
    out += first_left == p.steps.size() ? fmt::format(" Not run: step {}, which needs the new value:", first_left)
                                        : fmt::format(" Not run: steps {}–{}; those that need the new value:",
                                                      first_left, p.steps.size());
    for (std::size_t k : blocked) {
        out += fmt::format(" step {}: {}.", k + 1, p.steps[k].description);
    }
    if (revokes) {
        out += " The old key was *not* revoked: it is still valid, and so is the new one, written to the services' variables "
               "before the restart.";
    } else if (provider_reset(p)) {
        out += " PostHog reset the key at step 1: the old key no longer works; the new one was written to the services' "
               "variables before the restart.";
    } else {
        out += " Nothing revoked the old key.";
    }
    out += fmt::format(" To finish, run `/rotate {}` again: a fresh rotation that makes, writes and checks a new "
                       "value from the start",
                       secret);
    out += revokes ? "; its revoke step also revokes the key this run made, as opsbot made it." : ".";
    return out;
}

}  // namespace opsbot::commands
