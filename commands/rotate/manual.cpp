// The manual steps of `/rotate` (issue #6): manual.wait (a human puts the new value in place, then runs
// `/rotate SECRET --continue`) and manual.checklist (what only a human can do, e.g. revoke a Sentry token).
#include "commands/rotate/steps.hpp"

#include "commands/rotate/continue_board.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"

#include "core/sha256.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::commands {
namespace {


/// Fingerprint of `secret` on Railway `service` ("" when unset); the value is wiped before returning.
result<std::string> railway_fingerprint(const step_environment& env, const std::string& service,
                                        const std::string& environment, const std::string& secret,
                                        std::string* keep_value = nullptr) {
    auto variables = env.platforms.railway_of(service)->variables(environment);
    if (!variables) {
        return std::unexpected(variables.error());
    }
    std::string fp;
    if (auto it = variables->find(secret); it != variables->end() && !it->second.empty()) {
        fp = fingerprint(it->second);
        if (keep_value != nullptr && keep_value->empty()) {
            *keep_value = it->second;
        }
    }
    for (auto& [name, value] : *variables) {
        cleanse(value);
    }
    return fp;
}

struct check_outcome {
    std::vector<std::string> still_old;  ///< human lines about what has not changed
    std::vector<std::string> changed;
    std::string new_value;               ///< the new value read from Railway (wiped by the caller)
};

result<check_outcome> check_changed(const manual_wait_params& params, const step_environment& env,
                                    const std::vector<std::string>& railway_services) {
    const std::string& secret = params.secret;
    const std::string& environment = params.environment;
    check_outcome out;
    std::string first_fp;
    for (const auto& service : railway_services) {
        auto fp = railway_fingerprint(env, service, environment, secret, &out.new_value);
        if (!fp) {
            return std::unexpected(fp.error());
        }
        const std::string before = env.vault->before[service];
        if (fp->empty() || *fp == before) {
            out.still_old.push_back(fmt::format("Railway `{}` ({}) still holds {}", service, environment,
                                                fp->empty() ? "no value" : "the old value (fingerprint " + *fp + ")"));
        } else if (!first_fp.empty() && *fp != first_fp) {
            out.still_old.push_back(fmt::format("Railway `{}` holds another new value (fingerprint {}) than the "
                                                "other services ({})",
                                                service, *fp, first_fp));
        } else {
            first_fp = *fp;
            out.changed.push_back(service);
        }
    }
    return out;
}

/// The services of the step whose values can be read back (Railway), and those taken on the person's word.
struct readable_split {
    std::vector<std::string> railway;
    std::vector<std::string> unreadable;
};

readable_split split_services(const manual_wait_params& params, const step_environment& env) {
    readable_split out;
    for (const auto& service : params.services) {
        (env.platforms.railway_of(service) != nullptr ? out.railway : out.unreadable).push_back(service);
    }
    return out;
}

/// What a person names to continue the wait: the secret (empty when the parameters do not read; check_params
/// refuses such a plan before it runs).
std::string wait_key(const plan_step& step) {
    auto params = read_params<manual_wait_params>(step);
    return params ? params->secret : std::string();
}

/// Before the wait: the fingerprint each readable service holds now (the check compares with it). Stored with the
/// wait, so a restart keeps it; fingerprints only, never a value.
result<boost::json::object> begin_wait(const plan_step& step, const step_environment& env) {
    auto params = read_params<manual_wait_params>(step);
    if (!params) {
        return std::unexpected(params.error());
    }
    boost::json::object before;
    for (const auto& service : split_services(*params, env).railway) {
        auto fp = railway_fingerprint(env, service, params->environment, params->secret);
        if (!fp) {
            return std::unexpected(fp.error());
        }
        before[service] = *fp;
    }
    return boost::json::object{{"before", std::move(before)}};
}

/// A continue: the readable services must all hold one new value; then the vault keeps it for the steps after.
result<wait_verdict> check_continue(const plan_step& step, const step_environment& env,
                                    const boost::json::object& memo) {
    if (env.vault == nullptr) {
        return fail(error_kind::internal, "manual.wait: the run has no secret vault");
    }
    auto params = read_params<manual_wait_params>(step);
    if (!params) {
        return std::unexpected(params.error());
    }
    const std::string& secret = params->secret;
    const auto services = split_services(*params, env);
    if (const auto* before = memo.if_contains("before"); before != nullptr && before->is_object()) {
        for (const auto& [service, fp] : before->get_object()) {
            env.vault->before[std::string(service)] = fp.is_string() ? std::string(fp.get_string()) : std::string();
        }
    }
    auto checked = check_changed(*params, env, services.railway);
    if (!checked) {
        return wait_verdict{false, {},
                            fmt::format("Could not read the current values ({}); still waiting — run "
                                        "`/rotate {} --continue` again.",
                                        checked.error().message, secret)};
    }
    if (!checked->still_old.empty()) {
        cleanse(checked->new_value);
        return wait_verdict{false, {},
                            fmt::format("Not yet: {}. Put the new value there, then run `/rotate {} --continue` "
                                        "again. Still waiting.",
                                        fmt::join(checked->still_old, "; "), secret)};
    }
    if (!checked->new_value.empty()) {
        env.vault->set_new_value(std::move(checked->new_value), secret);
        cleanse(checked->new_value);
    }
    for (const auto& service : params->services) {
        env.vault->holding_new.insert(service);
    }
    std::string seen = services.railway.empty()
                           ? std::string("no platform value can be read back here, so your word stands")
                           : fmt::format("the new value (fingerprint {}) is on {}", env.vault->new_fingerprint(),
                                         fmt::join(checked->changed, ", "));
    std::string trusted = services.unreadable.empty()
                              ? ""
                              : fmt::format("; Vercel values cannot be read back ({} taken on your word)",
                                            fmt::join(services.unreadable, ", "));
    return wait_verdict{true, fmt::format("continued by the requester: {}{}", seen, trusted),
                        fmt::format("Continuing the rotation of `{}`: {}{}. Redeploying now.", secret, seen, trusted)};
}

/// The step run on one thread (tests, and a run without the durable executor): begin, then block on the board
/// until a continue passes the check.
result<std::string> wait_for_human(const plan_step& step, const step_environment& env) {
    if (env.board == nullptr || env.requester.empty()) {
        return fail(error_kind::unavailable, "manual.wait: this bot has no continue board to wait on");
    }
    const std::string secret = wait_key(step);
    auto memo = begin_wait(step, env);
    if (!memo) {
        return std::unexpected(memo.error());
    }
    const auto deadline = env.clk.now() + step.timeout;
    for (;;) {
        if (auto woke = env.board->wait(secret, env.requester, deadline); !woke) {
            env.board->end_wait(secret);
            return std::unexpected(woke.error());
        }
        auto verdict = check_continue(step, env, *memo);
        if (!verdict) {
            env.board->end_wait(secret);
            return std::unexpected(verdict.error());
        }
        env.board->answer(secret, verdict->answer);
        if (verdict->done) {
            env.board->end_wait(secret);
            return verdict->outcome;
        }
    }
}

result<std::string> checklist(const secret_step_params& params, const plan_step&, const step_environment&) {
    return fmt::format("left for a human: revoke the old {} in its dashboard (no API can)", params.secret);
}

}  // namespace

std::vector<step_kind> manual_step_kinds() {
    step_kind wait{"manual.wait", step_role::waiting_for_person, true, &wait_for_human, &wait_key, &begin_wait,
                   &check_continue};
    wait.check_params = params_checker<manual_wait_params>();
    return {
        std::move(wait),
        typed_step<secret_step_params>("manual.checklist", step_role::reading, true, &checklist),
    };
}

}  // namespace opsbot::commands
