// Step kinds of `/rotate` (issue #6): secret.generate, secret.stage, secret.reencrypt, secret.write_railway,
// secret.write_vercel, secret.verify, secret.revoke, secret.unstage; the manual steps live in manual.cpp.
// Values live only in env.vault; outcomes and errors name them by fingerprint.
#include "commands/rotate/steps.hpp"

#include "commands/rotate/continue_board.hpp"
#include "commands/grammar/format.hpp"
#include "commands/rotate/report.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "commands/plan/step_params.hpp"
#include "commands/plan/step_runner.hpp"

#include "adapters/subprocess.hpp"
#include "core/redactor.hpp"
#include "core/sha256.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::commands {

namespace {

const secret_config* secret_of(const std::string& name, const step_environment& env) {
    if (env.platforms.config == nullptr) {
        return nullptr;
    }
    auto it = env.platforms.config->secrets.find(name);
    return it == env.platforms.config->secrets.end() ? nullptr : &it->second;
}

adapters::secret_provider* provider_of(const std::string& secret, const step_environment& env) {
    auto it = env.platforms.secret_providers.find(secret);
    return it == env.platforms.secret_providers.end() ? nullptr : it->second.get();
}

std::string key_label(const clock& clk) {
    std::string stamp;
    for (char c : iso8601(clk.now())) {
        if (c >= '0' && c <= '9') {
            stamp += c;
        }
    }
    return "opsbot-" + stamp.substr(0, 8) + "-" + stamp.substr(8, 6);
}

/// After a create whose answer was lost or unreadable (issue 12 item 3): the provider may have made a key whose value
/// nobody saw, so it can never be used. Find it by this run's name, revoke it, and say what was found; the create
/// itself is never repeated.
std::string after_unclear_create(adapters::secret_provider& provider, const std::string& label, const error& e) {
    if (e.kind != error_kind::unknown_outcome && e.kind != error_kind::bad_response) {
        return {};
    }
    auto revoked = provider.cleanup_unused(label, "");
    if (!revoked) {
        spdlog::error("{}: after an unclear create, listing the {}s named {} failed: {}", provider.name(),
                      provider.id_noun(), label, revoked.error().message);
        return fmt::format("; {} may hold a {} named `{}` made by this run, which could not be checked ({}): "
                           "revoke it by hand; the old key stays in force",
                           provider.name(), provider.id_noun(), label, revoked.error().message);
    }
    if (revoked->empty()) {
        return fmt::format("; {} lists no {} named `{}`: nothing was made, the old key stays in force",
                           provider.name(), provider.id_noun(), label);
    }
    return fmt::format("; {} had made it anyway: {} `{}` revoked (its value was never seen), the old key stays in "
                       "force",
                       provider.name(), provider.id_noun(), fmt::join(*revoked, "`, `"));
}

result<std::string> generate(const generate_params& params, const plan_step&, const step_environment& env) {
    secret_vault& vault = *env.vault;
    const std::string& secret = params.secret;
    const secret_generator how = params.generate;
    if (how == secret_generator::hex32 || how == secret_generator::hex16) {
        vault.set_new_value(adapters::random_hex(how == secret_generator::hex32 ? 32 : 16), secret);
        return fmt::format("new {} generated (fingerprint {})", secret, vault.new_fingerprint());
    }
    auto* provider = provider_of(secret, env);
    if (provider == nullptr) {
        return fail(error_kind::unavailable, fmt::format("no {} provider for {}", to_string(how), secret));
    }
    if (!provider->create_revokes_old()) {
        auto ids = provider->existing_key_ids();
        if (!ids) {
            return std::unexpected(ids.error());
        }
        vault.old_key_ids = std::move(*ids);
    }
    const std::string label = key_label(env.clk);
    auto key = provider->create_key(label);
    if (!key) {
        return fail(key.error().kind, key.error().message + after_unclear_create(*provider, label, key.error()));
    }
    vault.new_key_id = key->id;
    vault.set_new_value(std::move(key->value), secret);
    cleanse(key->value);
    if (provider->create_revokes_old()) {
        return fmt::format("{} reset the key (fingerprint {}); the old key no longer works", provider->name(),
                           vault.new_fingerprint());
    }
    return fmt::format("{} created {} `{}` (fingerprint {}); {} old {}(s) to revoke after verification",
                       provider->name(), provider->id_noun(), key->id, vault.new_fingerprint(),
                       vault.old_key_ids.size(), provider->id_noun());
}

/// Runs the configured re-encryption with the two keys in the child's environment only; besides them it gets the
/// allowlist and the secret's env_passthrough, nothing else of the bot's environment.
result<adapters::subprocess_result> run_reencrypt(const secret_config& secret, const std::string& old_value,
                                                  const std::string& new_value, std::chrono::seconds timeout) {
    adapters::subprocess_options options;
    options.argv = secret.reencrypt_command;
    options.passthrough = secret.env_passthrough;
    options.set_env = {{"OPSBOT_OLD_SECRET", old_value}, {"OPSBOT_NEW_SECRET", new_value}};
    options.timeout = timeout;
    options.max_output = 4096;
    return adapters::run_subprocess(options);
}

std::string tail_of(const adapters::subprocess_result& run) {
    std::string out = global_redactor().redact(adapters::keep_tail(run.output, 300));
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

/// The precondition of secret.reencrypt (issue 12 item 4): never re-encrypt with a key only this process holds.
/// The staged copy on the platform must be the new key, read back now.
result<void> reencrypt_ready(const reencrypt_params& params, const plan_step&, const step_environment& env) {
    if (!env.vault->has_new_value()) {
        return fail(error_kind::internal, "no new key in this run to re-encrypt with; the old key stays in force");
    }
    const std::string& staged = params.staged;
    if (staged.empty()) {
        return {};
    }
    auto* railway = env.platforms.railway_of(params.service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "secret.reencrypt: no Railway adapter for " + params.service);
    }
    auto variables = railway->variables(params.environment);
    if (!variables) {
        return std::unexpected(variables.error());
    }
    auto held = variables->find(staged);
    const std::string held_fp = held == variables->end() || held->second.empty() ? "" : fingerprint(held->second);
    for (auto& [name, value] : *variables) {
        cleanse(value);
    }
    if (held_fp != env.vault->new_fingerprint()) {
        return fail(error_kind::conflict,
                    fmt::format("refusing to re-encrypt: `{}` on Railway `{}` does not hold the new key "
                                "(fingerprint {} expected, {} found), so the platform would not hold the key the "
                                "credentials need; the old key stays in force",
                                staged, params.service, env.vault->new_fingerprint(),
                                held_fp.empty() ? "none" : held_fp));
    }
    return {};
}

result<std::string> reencrypt(const reencrypt_params& params, const plan_step& step, const step_environment& env) {
    const secret_config* secret = secret_of(params.secret, env);
    auto* railway = env.platforms.railway_of(params.service);
    if (secret == nullptr || railway == nullptr) {
        return fail(error_kind::unavailable, "secret.reencrypt: no config or Railway adapter for this secret");
    }
    auto variables = railway->variables(params.environment);
    if (!variables) {
        return std::unexpected(variables.error());
    }
    auto current = variables->find(secret->name);
    if (current == variables->end() || current->second.empty()) {
        return fail(error_kind::not_found, fmt::format("{} is not set on Railway `{}`: nothing to re-encrypt from; "
                                                       "the old key stays in force",
                                                       secret->name, params.service));
    }
    env.vault->set_old_value(std::move(current->second), secret->name);
    for (auto& [name, value] : *variables) {
        cleanse(value);
    }
    auto run = run_reencrypt(*secret, env.vault->old_value(), env.vault->new_value(), step.timeout);
    if (!run) {
        return fail(run.error().kind, run.error().message + "; the old key stays in force");
    }
    if (!run->ok()) {
        return fail(error_kind::conflict, fmt::format("the re-encryption command failed ({}): {}; the old key stays "
                                                      "in force",
                                                      run->describe(), tail_of(*run)));
    }
    env.vault->reencrypted = true;
    return fmt::format("credentials re-encrypted with the new key (fingerprint {}, {})", env.vault->new_fingerprint(),
                       run->describe());
}

/// A write failed after the credentials were re-encrypted and before any platform took the new key: put the
/// credentials back under the old key, so the old key stays in force.
std::string undo_reencrypt(const std::string& name, const plan_step& step, const step_environment& env) {
    const secret_config* secret = secret_of(name, env);
    if (secret == nullptr || !env.vault->reencrypted || !env.vault->holding_new.empty()) {
        return {};
    }
    auto run = run_reencrypt(*secret, env.vault->new_value(), env.vault->old_value(), step.timeout);
    if (run && run->ok()) {
        env.vault->reencrypted = false;
        return "; the credentials were re-encrypted back with the old key, which stays in force";
    }
    spdlog::error("{}: re-encrypting back with the old key failed: {}", secret->name,
                  run ? run->describe() : run.error().message);
    return "; RE-ENCRYPTING BACK WITH THE OLD KEY FAILED: the credentials are encrypted with the new key (fingerprint " +
           env.vault->new_fingerprint() + "), which no platform holds";
}

/// After a write: the vault knows `service` holds the new value; a failed write is undone as far as it can be.
result<std::string> after_write(result<void> written, const std::string& secret, const std::string& service,
                                const std::string& where, const plan_step& step, const step_environment& env) {
    if (!written) {
        return fail(written.error().kind,
                    fmt::format("writing {} to {} failed: {}{}", secret, where, written.error().message,
                                undo_reencrypt(secret, step, env)));
    }
    env.vault->holding_new.insert(service);
    return fmt::format("{} holds the new {} (fingerprint {})", where, secret, env.vault->new_fingerprint());
}

/// The precondition of the writes and of secret.stage: the run's vault holds the new value.
template <class Params>
result<void> new_value_held(const Params&, const plan_step& step, const step_environment& env) {
    if (step.kind == "secret.unstage" || env.vault->has_new_value()) {
        return {};
    }
    return fail(error_kind::internal, step.kind == "secret.stage" ? "no new value in this run to stage"
                                                                   : "no new value in this run to write");
}

result<std::string> write_railway(const secret_write_params& params, const plan_step& step,
                                  const step_environment& env) {
    auto* railway = env.platforms.railway_of(params.service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + params.service);
    }
    const std::string where = fmt::format("Railway `{}` ({})", params.service, params.environment);
    // skipDeploys: the redeploy is an explicit, watched step of the plan (docs/platforms.md §0, §2.2).
    return after_write(railway->upsert_variables(params.environment, {{params.secret, env.vault->new_value()}}, true),
                       params.secret, params.service, where, step, env);
}

result<std::string> write_vercel(const vercel_write_params& params, const plan_step& step,
                                 const step_environment& env) {
    auto* vercel = env.platforms.vercel_of(params.service);
    if (vercel == nullptr) {
        return fail(error_kind::unavailable, "no Vercel adapter for " + params.service);
    }
    const std::string where = fmt::format("Vercel `{}` ({})", params.service, fmt::join(params.targets, ", "));
    return after_write(vercel->upsert_env(params.secret, env.vault->new_value(), params.type, params.targets),
                       params.secret, params.service, where, step, env);
}

/// secret.stage / secret.unstage: the new key as `variable` (CREDENTIAL_ENCRYPTION_KEY_NEXT) on a Railway service,
/// with skipDeploys, before the re-encryption; emptied once the secret itself holds it (issue 12 item 4).
result<std::string> stage(const secret_stage_params& params, const plan_step& step, const step_environment& env) {
    const std::string& service = params.service;
    const std::string& variable = params.variable;
    auto* railway = env.platforms.railway_of(service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + service);
    }
    const bool staging = step.kind == "secret.stage";
    const std::string where = fmt::format("`{}` on Railway `{}` ({})", variable, service, params.environment);
    auto written = railway->upsert_variables(params.environment,
                                             {{variable, staging ? env.vault->new_value() : std::string{}}}, true);
    if (!written) {
        return fail(written.error().kind, fmt::format("{} {} failed: {}", staging ? "staging the new key as" : "emptying",
                                                      where, written.error().message));
    }
    if (!staging) {
        env.vault->staged_on.erase(service);
        return fmt::format("{} emptied: {} holds the new key", where, params.secret);
    }
    env.vault->staged_on.insert(service);
    return fmt::format("{} holds the new key (fingerprint {}) before any credential uses it", where,
                       env.vault->new_fingerprint());
}

std::vector<std::string> quoted(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& name : names) {
        out.push_back("`" + name + "`");
    }
    return out;
}

/// A provider without a test call: say what was actually checked (the plan's health checks), and what was not.
std::string untested_key_text(const verify_params& params, const std::string& name, const std::string& fingerprint) {
    const std::string provider = name == "posthog" ? "PostHog" : name;
    const auto checked = quoted(params.health_checked);
    const auto unchecked = quoted(params.not_health_checked);
    std::string out = fmt::format("{} has no test call: the new key (fingerprint {}) itself was not tested", provider,
                                  fingerprint);
    out += checked.empty() ? std::string("; no service was health-checked")
                           : fmt::format("; {} passed its health check after the redeploy", fmt::join(checked, ", "));
    if (!unchecked.empty()) {
        out += fmt::format("; {} got no health check (confirm its events arrive in {})", fmt::join(unchecked, ", "),
                           provider);
    }
    return out;
}

/// The precondition of secret.verify: a provider to ask, and the new key in the run's vault.
result<void> verify_ready(const verify_params& params, const plan_step&, const step_environment& env) {
    if (provider_of(params.secret, env) == nullptr || !env.vault->has_new_value()) {
        return fail(error_kind::unavailable, "secret.verify: no provider or no new key in this run");
    }
    return {};
}

result<std::string> verify(const verify_params& params, const plan_step&, const step_environment& env) {
    auto* provider = provider_of(params.secret, env);
    if (provider == nullptr) {
        return fail(error_kind::unavailable, "secret.verify: no provider for " + params.secret);
    }
    auto ok = provider->verify_key(env.vault->new_value());
    if (!ok && ok.error().kind == error_kind::unavailable) {
        env.vault->verified = true;
        return untested_key_text(params, provider->name(), env.vault->new_fingerprint());
    }
    if (!ok) {
        return fail(ok.error().kind, fmt::format("the new key (fingerprint {}) failed {}'s test call: {}",
                                                 env.vault->new_fingerprint(), provider->name(), ok.error().message));
    }
    env.vault->verified = true;
    return fmt::format("the new key (fingerprint {}) works ({} test call)", env.vault->new_fingerprint(),
                       provider->name());
}

/// The precondition of secret.revoke, the runbook's one hard rule: never revoke the old credential before the new
/// one is verified (§6).
result<void> revoke_ready(const secret_step_params&, const plan_step&, const step_environment& env) {
    if (!env.vault->verified) {
        return fail(error_kind::conflict, "refusing to revoke: the new key was not verified in this run");
    }
    return {};
}

result<std::string> revoke(const secret_step_params& params, const plan_step&, const step_environment& env) {
    auto* provider = provider_of(params.secret, env);
    if (provider == nullptr) {
        return fail(error_kind::unavailable, "secret.revoke: no provider for " + params.secret);
    }
    std::vector<std::string> revoked;
    for (const auto& id : env.vault->old_key_ids) {
        if (id == env.vault->new_key_id) {
            continue;
        }
        if (auto done = provider->revoke_key(id); !done) {
            return fail(done.error().kind, fmt::format("revoking key `{}` failed after {} revoked: {}", id,
                                                       revoked.size(), done.error().message));
        }
        revoked.push_back(id);
        ++env.vault->revoked;
    }
    if (revoked.empty()) {
        // Not a success to report as "revoked": the key in force before was made elsewhere (runbook §6).
        const std::string text = hand_revoke_text(params.secret, provider->name());
        spdlog::warn("{}: {}", params.secret, text);
        return text;
    }
    return fmt::format("revoked {} old key(s): `{}`", revoked.size(), fmt::join(revoked, "`, `"));
}

}  // namespace

namespace {

/// Every rotation step works on the run's secret vault, which the executor makes for the run: the first thing each
/// one's precondition checks (its own check reads the vault).
step_kind with_vault(step_kind kind) {
    kind.precondition = [own = std::move(kind.precondition)](const plan_step& step,
                                                              const step_environment& env) -> result<void> {
        if (env.vault == nullptr) {
            return fail(error_kind::internal, fmt::format("{} needs the run's secret vault", step.kind));
        }
        return own ? own(step, env) : result<void>{};
    };
    return kind;
}

}  // namespace

std::vector<step_kind> rotate_step_kinds() {
    std::vector<step_kind> out{
        typed_step<generate_params>("secret.generate", step_role::acting, false, &generate),
        typed_step<reencrypt_params>("secret.reencrypt", step_role::acting, false, &reencrypt, &reencrypt_ready),
        typed_step<secret_stage_params>("secret.stage", step_role::acting, true, &stage,
                                        &new_value_held<secret_stage_params>),
        typed_step<secret_stage_params>("secret.unstage", step_role::acting, true, &stage),
        typed_step<secret_write_params>("secret.write_railway", step_role::acting, true, &write_railway,
                                        &new_value_held<secret_write_params>),
        typed_step<vercel_write_params>("secret.write_vercel", step_role::acting, true, &write_vercel,
                                        &new_value_held<vercel_write_params>),
        typed_step<verify_params>("secret.verify", step_role::reading, true, &verify, &verify_ready),
        typed_step<secret_step_params>("secret.revoke", step_role::acting, true, &revoke, &revoke_ready),
    };
    for (auto& kind : manual_step_kinds()) {
        out.push_back(std::move(kind));
    }
    for (auto& kind : out) {
        kind = with_vault(std::move(kind));
    }
    return out;
}

}  // namespace opsbot::commands
