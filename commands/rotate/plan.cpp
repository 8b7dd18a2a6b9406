// `/rotate SECRET` as a plan (runbook §6 "General Rotation Procedure", docs/platforms.md §6, issue #6).
#include "commands/rotate/plan.hpp"

#include "commands/deploy/steps.hpp"

#include "commands/grammar/format.hpp"
#include "commands/rotate/steps.hpp"
#include "commands/rotate/support.hpp"
#include "commands/plan/step_params.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace opsbot::commands {
namespace {

constexpr std::string_view encryption_key = "CREDENTIAL_ENCRYPTION_KEY";

bool made_by_provider(const secret_config& s) {
    return is_provider(s.generate);
}

std::string provider_title(secret_generator generate) { return std::string(display_name(generate)); }

std::string configured_list(const stack_config& config) {
    std::string out;
    for (const auto& [name, secret] : config.secrets) {
        out += (out.empty() ? "`" : ", `") + name + "`";
    }
    return out;
}

std::string where_held(const stack_config& config, const secret_config& secret, const std::string& environment) {
    std::string out;
    for (const auto& name : secret.services) {
        const auto& service = config.services.at(name);
        out += fmt::format("{}{} `{}` ({})", out.empty() ? "" : ", ",
                           service.platform == platform_kind::vercel ? "Vercel project" : "Railway service", name, environment);
    }
    return out;
}

plan_step first_step(const stack_config& config, const secret_config& secret, const std::string& environment) {
    plan_step s;
    s.params = params_of(generate_params{secret.name, secret.generate, environment});
    if (secret.generate == secret_generator::hex32 || secret.generate == secret_generator::hex16) {
        s.kind = "secret.generate";
        s.description = fmt::format("Generate a new {} like `openssl rand -hex {}` (OpenSSL's CSPRNG); it stays in "
                                    "memory and is named only by its fingerprint",
                                    secret.name, secret.generate == secret_generator::hex32 ? 32 : 16);
        s.timeout = std::chrono::seconds{30};
    } else if (made_by_provider(secret)) {
        s.kind = "secret.generate";
        s.description = secret.generate == secret_generator::posthog
                            ? fmt::format("Reset the PostHog project key through its API (the old key stops working "
                                          "at once) and keep the new one in memory only")
                        : secret.generate == secret_generator::openai
                            ? fmt::format("Create a new OpenAI service account through the admin API; its API key is "
                                          "the new {} (the old service account keeps working until it is deleted at "
                                          "the end); keep the key in memory only",
                                          secret.name)
                            : fmt::format("Create a new {} key through the {} API (the old key keeps working until it "
                                          "is revoked at the end) and keep it in memory only",
                                          secret.name, provider_title(secret.generate));
        s.timeout = std::chrono::minutes{1};
    } else {
        s.kind = "manual.wait";
        s.params = params_of(manual_wait_params{secret.name, secret.generate, environment, secret.services});
        s.description = fmt::format(
            "Human steps (no API can make this value): 1. Create the new {} in its dashboard. 2. Put it in {} "
            "yourself. 3. Run `/rotate {} --continue` (only the requester; never paste the value in Slack). "
            "opsbot then checks that the values it can read changed. Waits up to 4 h",
            secret.name, where_held(config, secret, environment), secret.name);
        s.timeout = std::chrono::hours{4};
    }
    return s;
}

result<void> add_redeploys(const stack_config& config, const platform_registry& platforms, const secret_config& secret,
                           const std::string& environment, const clock& clk, plan& p) {
    for (const auto& name : secret.services) {
        const auto& service = config.services.at(name);
        // `follow_live`: the step redeploys what is live when it acts, re-read right before (a rotation may wait
        // hours for a person; shipping an id recorded now could put older code back in production). Only the
        // wording names what is live now, so a newer deployment does not void the approval.
        // check_rotatable made sure each service's adapter is a Vercel or a Railway one.
        if (auto* vercel = platforms.vercel_of(name)) {
            auto current = vercel->current_production();
            if (!current) {
                return std::unexpected(current.error());
            }
            plan_step s;
            s.kind = "vercel.redeploy";
            s.description = fmt::format("Redeploy {} so it picks up the new value: rebuild the deployment live when "
                                        "this step runs (now `{}`, {}, {}; the same commit, no newer code) and wait "
                                        "until the new deployment is READY",
                                        name, current->id, short_sha(current->commit_sha),
                                        age_of_ms(current->created_ms, clk));
            s.params = params_of(vercel_redeploy_params{name, std::nullopt, current->name.empty() ? name : current->name,
                                                        "production", false, true});
            s.timeout = std::chrono::minutes{15};
            p.steps.push_back(std::move(s));
            continue;
        }
        auto deployments = platforms.railway_of(name)->list_deployments(environment, 20);
        if (!deployments) {
            return std::unexpected(deployments.error());
        }
        auto live = adapters::pick_railway_live(*deployments);
        plan_step s;
        s.kind = "railway.redeploy";
        s.description = fmt::format("Redeploy {} in {} (serviceInstanceDeployV2{}) so it picks up the new value, and "
                                    "wait for SUCCESS",
                                    name, environment, live ? fmt::format(", replacing what is live then; now `{}`",
                                                                          live->id)
                                                            : "");
        s.params = params_of(railway_redeploy_params{name, environment, std::nullopt, true});
        s.timeout = std::chrono::minutes{20};
        p.steps.push_back(std::move(s));
        if (auto health = service.health_url.find(environment); health != service.health_url.end()) {
            p.steps.push_back(health_check_step(health->second));
        }
    }
    return {};
}

/// The Railway services of `secret`: where CREDENTIAL_ENCRYPTION_KEY_NEXT is staged.
std::vector<std::string> railway_holders(const stack_config& config, const secret_config& secret) {
    std::vector<std::string> out;
    for (const auto& name : secret.services) {
        if (config.services.at(name).platform == platform_kind::railway) {
            out.push_back(name);
        }
    }
    return out;
}

/// Issue 12 item 4: the new key is held by the platform (CREDENTIAL_ENCRYPTION_KEY_NEXT) before any credential is
/// re-encrypted with it, so a crash at any point leaves the key that reads the credentials on the platform.
void add_staged_reencryption(const stack_config& config, const secret_config& secret, const std::string& environment,
                             plan& p) {
    const std::string staged = staged_name(secret.name);
    const auto holders = railway_holders(config, secret);
    for (const auto& name : holders) {
        plan_step s;
        s.kind = "secret.stage";
        s.description = fmt::format("Stage the new key on Railway `{}` ({}) as `{}` with skipDeploys, before anything "
                                    "uses it. Way back if the run stops here: nothing changed for the app (the old key "
                                    "is in force); `{}` holds an unused key",
                                    name, environment, staged, staged);
        s.params = params_of(secret_stage_params{secret.name, name, environment, staged});
        s.timeout = std::chrono::minutes{1};
        p.steps.push_back(std::move(s));
    }
    plan_step s;
    s.kind = "secret.reencrypt";
    s.description = fmt::format("Re-encrypt the stored credentials: run `{}` with the old key (read from {}) and the "
                                "new one (read back from `{}` first: it must be the staged key) in its environment "
                                "only; if it fails, the old key stays in force. Way back if the run stops after this: "
                                "the credentials are under the key in `{}`: set {} to that value and redeploy",
                                fmt::join(secret.reencrypt_command, " "), holders.front(), staged, staged,
                                secret.name);
    s.params = params_of(reencrypt_params{secret.name, holders.front(), environment, staged});
    s.timeout = std::chrono::minutes{30};
    p.steps.push_back(std::move(s));
}

}  // namespace

result<plan> plan_rotate(const stack_config& config, const platform_registry& platforms, const rotate_request& request,
                         const clock& clk) {
    auto found = config.secrets.find(request.secret);
    if (found == config.secrets.end()) {
        return fail(error_kind::invalid_input,
                    config.secrets.empty()
                        ? "No secrets are configured (add a `secrets` section to the config)."
                        : fmt::format("Unknown secret `{}`. Configured secrets: {}.", request.secret,
                                      configured_list(config)));
    }
    const secret_config& secret = found->second;
    const std::string environment = request.environment.empty() ? "production" : request.environment;
    if (secret.name == encryption_key && secret.reencrypt_command.empty()) {
        return fail(error_kind::forbidden,
                    "WARNING (runbook §6): rotating CREDENTIAL_ENCRYPTION_KEY makes all existing encrypted tool "
                    "credentials unreadable. Configure `secrets.CREDENTIAL_ENCRYPTION_KEY.reencrypt_command` (decrypt "
                    "with the old key, re-encrypt with the new one) before rotating it. Nothing was changed.");
    }
    if (auto ok = check_rotatable(config, platforms, secret, environment); !ok) {
        return std::unexpected(ok.error());
    }
    plan p;
    p.family = "rotate";
    p.service = secret.services.size() == 1 ? secret.services.front() : std::string{};
    p.environment = environment;
    p.title = fmt::format("Rotate {} ({}{})", secret.name, environment,
                          request.reason.empty() ? "" : ", " + request.reason);
    p.impact = rotate_impact(secret, request);
    p.next_step_on_failure = rotate_way_back(secret);
    p.steps.push_back(first_step(config, secret, environment));
    if (!secret.reencrypt_command.empty()) {
        add_staged_reencryption(config, secret, environment, p);
    }
    if (secret.generate != secret_generator::manual) {
        for (const auto& name : secret.services) {
            plan_step s;
            s.timeout = std::chrono::minutes{1};
            if (config.services.at(name).platform == platform_kind::vercel) {
                s.kind = "secret.write_vercel";
                s.params = params_of(vercel_write_params{secret.name, name, environment, "encrypted", {"production"}});
                s.description = fmt::format("Write the new {} to Vercel project `{}` (encrypted, target production; "
                                            "applies to the next deployment)",
                                            secret.name, name);
            } else {
                s.kind = "secret.write_railway";
                s.params = params_of(secret_write_params{secret.name, name, environment});
                s.description = fmt::format("Write the new {} to Railway service `{}` ({}) with skipDeploys",
                                            secret.name, name, environment);
            }
            p.steps.push_back(std::move(s));
        }
    }
    if (auto added = add_redeploys(config, platforms, secret, environment, clk, p); !added) {
        return std::unexpected(added.error());
    }
    if (!secret.reencrypt_command.empty()) {
        for (const auto& name : railway_holders(config, secret)) {
            plan_step s;
            s.kind = "secret.unstage";
            s.description = fmt::format("Empty `{}` on Railway `{}` ({}) with skipDeploys: {} holds the new key now",
                                        staged_name(secret.name), name, environment, secret.name);
            s.params = params_of(secret_stage_params{secret.name, name, environment, staged_name(secret.name)});
            s.timeout = std::chrono::minutes{1};
            p.steps.push_back(std::move(s));
        }
    }
    if (made_by_provider(secret)) {
        plan_step verify;
        verify.kind = "secret.verify";
        verify.description = fmt::format("Verify the new {} with an authenticated {} call", secret.name,
                                         provider_title(secret.generate));
        // What this plan health-checks, so a provider without a test call is reported truthfully.
        verify_params params{secret.name, {}, {}};
        for (const auto& name : secret.services) {
            const auto& service = config.services.at(name);
            const bool health = service.platform == platform_kind::railway && service.health_url.contains(environment);
            (health ? params.health_checked : params.not_health_checked).push_back(name);
        }
        verify.params = params_of(params);
        if (secret.generate == secret_generator::posthog) {
            verify.description = fmt::format("Record how the new {} was checked: PostHog has no test call for a "
                                             "project key, so only the health checks above (if any) stand for it",
                                             secret.name);
        }
        verify.timeout = std::chrono::minutes{1};
        p.steps.push_back(std::move(verify));
    }
    if (secret.generate == secret_generator::resend || secret.generate == secret_generator::openai) {
        plan_step revoke;
        revoke.kind = "secret.revoke";
        revoke.description = secret.generate == secret_generator::openai
                                 ? fmt::format("Revoke the old {}: delete its old OpenAI service account(s), and with "
                                               "them their keys (only after the new key was verified in this run)",
                                               secret.name)
                                 : fmt::format("Revoke the old {} key(s) through the {} API (only after the new key "
                                               "was verified in this run)",
                                               secret.name, provider_title(secret.generate));
        revoke.params = params_of(secret_step_params{secret.name});
        revoke.timeout = std::chrono::minutes{1};
        p.steps.push_back(std::move(revoke));
    }
    if (secret.generate == secret_generator::manual) {
        plan_step checklist;
        checklist.kind = "manual.checklist";
        checklist.description = fmt::format("Checklist for a human (no API): once the services work, revoke the old "
                                            "{} in its dashboard",
                                            secret.name);
        checklist.params = params_of(secret_step_params{secret.name});
        checklist.timeout = std::chrono::seconds{5};
        p.steps.push_back(std::move(checklist));
    }
    return p;
}

}  // namespace opsbot::commands
