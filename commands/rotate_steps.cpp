// Step kinds of `/rotate` (issue #6): secret.generate, secret.reencrypt, secret.write_railway,
// secret.write_vercel, secret.verify, secret.revoke (run_rotate_step); the manual steps live in rotate_manual.cpp.
// Values live only in env.vault; outcomes and errors name them by fingerprint.
#include "commands/continue_board.hpp"
#include "commands/format.hpp"
#include "commands/rotate_report.hpp"
#include "commands/secret_vault.hpp"
#include "commands/step_support.hpp"

#include "adapters/subprocess.hpp"
#include "core/redactor.hpp"
#include "core/sha256.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::commands {

result<std::string> run_manual_step(const plan_step& step, const step_environment& env);

namespace {

const secret_config* secret_of(const plan_step& step, const step_environment& env) {
    if (env.platforms.config == nullptr) {
        return nullptr;
    }
    auto it = env.platforms.config->secrets.find(step_param(step, "secret"));
    return it == env.platforms.config->secrets.end() ? nullptr : &it->second;
}

adapters::secret_provider* provider_of(const plan_step& step, const step_environment& env) {
    auto it = env.platforms.secret_providers.find(step_param(step, "secret"));
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

result<std::string> generate(const plan_step& step, const step_environment& env) {
    secret_vault& vault = *env.vault;
    const std::string secret = step_param(step, "secret");
    const std::string how = step_param(step, "generate");
    if (how == "hex32" || how == "hex16") {
        vault.set_new_value(adapters::random_hex(how == "hex32" ? 32 : 16), secret);
        return fmt::format("new {} generated (fingerprint {})", secret, vault.new_fingerprint());
    }
    auto* provider = provider_of(step, env);
    if (provider == nullptr) {
        return fail(error_kind::unavailable, fmt::format("no {} provider for {}", how, secret));
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

result<std::string> reencrypt(const plan_step& step, const step_environment& env) {
    const secret_config* secret = secret_of(step, env);
    auto* railway = env.platforms.railway_of(step_param(step, "service"));
    if (secret == nullptr || railway == nullptr) {
        return fail(error_kind::unavailable, "secret.reencrypt: no config or Railway adapter for this secret");
    }
    auto variables = railway->variables(step_param(step, "environment"));
    if (!variables) {
        return std::unexpected(variables.error());
    }
    auto current = variables->find(secret->name);
    if (current == variables->end() || current->second.empty()) {
        return fail(error_kind::not_found, fmt::format("{} is not set on Railway `{}`: nothing to re-encrypt from; "
                                                       "the old key stays in force",
                                                       secret->name, step_param(step, "service")));
    }
    // Issue 12 item 4: never re-encrypt with a key only this process holds. The staged copy on the platform must be
    // the new key, read back now.
    const std::string staged = step_param(step, "staged");
    if (!staged.empty()) {
        auto held = variables->find(staged);
        const std::string held_fp = held == variables->end() || held->second.empty() ? "" : fingerprint(held->second);
        if (held_fp != env.vault->new_fingerprint()) {
            for (auto& [name, value] : *variables) {
                cleanse(value);
            }
            return fail(error_kind::conflict,
                        fmt::format("refusing to re-encrypt: `{}` on Railway `{}` does not hold the new key "
                                    "(fingerprint {} expected, {} found), so the platform would not hold the key the "
                                    "credentials need; the old key stays in force",
                                    staged, step_param(step, "service"), env.vault->new_fingerprint(),
                                    held_fp.empty() ? "none" : held_fp));
        }
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
std::string undo_reencrypt(const plan_step& step, const step_environment& env) {
    const secret_config* secret = secret_of(step, env);
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

result<std::string> write(const plan_step& step, const step_environment& env) {
    const std::string secret = step_param(step, "secret");
    const std::string service = step_param(step, "service");
    if (!env.vault->has_new_value()) {
        return fail(error_kind::internal, "no new value in this run to write");
    }
    result<void> written;
    std::string where;
    if (step.kind == "secret.write_railway") {
        auto* railway = env.platforms.railway_of(service);
        if (railway == nullptr) {
            return fail(error_kind::unavailable, "no Railway adapter for " + service);
        }
        where = fmt::format("Railway `{}` ({})", service, step_param(step, "environment"));
        // skipDeploys: the redeploy is an explicit, watched step of the plan (platforms.md §0, §2.2).
        written = railway->upsert_variables(step_param(step, "environment"), {{secret, env.vault->new_value()}}, true);
    } else {
        auto* vercel = env.platforms.vercel_of(service);
        if (vercel == nullptr) {
            return fail(error_kind::unavailable, "no Vercel adapter for " + service);
        }
        std::vector<std::string> targets;
        if (const auto* t = step.params.if_contains("targets"); t != nullptr && t->is_array()) {
            for (const auto& target : t->get_array()) {
                targets.emplace_back(target.as_string());
            }
        }
        where = fmt::format("Vercel `{}` ({})", service, fmt::join(targets, ", "));
        written = vercel->upsert_env(secret, env.vault->new_value(), step_param(step, "type"), targets);
    }
    if (!written) {
        return fail(written.error().kind,
                    fmt::format("writing {} to {} failed: {}{}", secret, where, written.error().message,
                                undo_reencrypt(step, env)));
    }
    env.vault->holding_new.insert(service);
    return fmt::format("{} holds the new {} (fingerprint {})", where, secret, env.vault->new_fingerprint());
}

/// secret.stage / secret.unstage: the new key as `variable` (CREDENTIAL_ENCRYPTION_KEY_NEXT) on a Railway service,
/// with skipDeploys, before the re-encryption; emptied once the secret itself holds it (issue 12 item 4).
result<std::string> stage(const plan_step& step, const step_environment& env) {
    const std::string service = step_param(step, "service");
    const std::string variable = step_param(step, "variable");
    auto* railway = env.platforms.railway_of(service);
    if (railway == nullptr) {
        return fail(error_kind::unavailable, "no Railway adapter for " + service);
    }
    const bool staging = step.kind == "secret.stage";
    if (staging && !env.vault->has_new_value()) {
        return fail(error_kind::internal, "no new value in this run to stage");
    }
    const std::string where = fmt::format("`{}` on Railway `{}` ({})", variable, service, step_param(step, "environment"));
    auto written = railway->upsert_variables(step_param(step, "environment"),
                                             {{variable, staging ? env.vault->new_value() : std::string{}}}, true);
    if (!written) {
        return fail(written.error().kind, fmt::format("{} {} failed: {}", staging ? "staging the new key as" : "emptying",
                                                      where, written.error().message));
    }
    if (!staging) {
        env.vault->staged_on.erase(service);
        return fmt::format("{} emptied: {} holds the new key", where, step_param(step, "secret"));
    }
    env.vault->staged_on.insert(service);
    return fmt::format("{} holds the new key (fingerprint {}) before any credential uses it", where,
                       env.vault->new_fingerprint());
}

std::vector<std::string> names_in(const plan_step& step, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* list = step.params.if_contains(key); list != nullptr && list->is_array()) {
        for (const auto& name : list->get_array()) {
            if (name.is_string()) {
                out.emplace_back("`" + std::string(name.get_string()) + "`");
            }
        }
    }
    return out;
}

/// A provider without a test call: say what was actually checked (the plan's health checks), and what was not.
std::string untested_key_text(const plan_step& step, const std::string& name, const std::string& fingerprint) {
    const std::string provider = name == "posthog" ? "PostHog" : name;
    const auto checked = names_in(step, "health_checked");
    const auto unchecked = names_in(step, "not_health_checked");
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

result<std::string> verify(const plan_step& step, const step_environment& env) {
    auto* provider = provider_of(step, env);
    if (provider == nullptr || !env.vault->has_new_value()) {
        return fail(error_kind::unavailable, "secret.verify: no provider or no new key in this run");
    }
    auto ok = provider->verify_key(env.vault->new_value());
    if (!ok && ok.error().kind == error_kind::unavailable) {
        env.vault->verified = true;
        return untested_key_text(step, provider->name(), env.vault->new_fingerprint());
    }
    if (!ok) {
        return fail(ok.error().kind, fmt::format("the new key (fingerprint {}) failed {}'s test call: {}",
                                                 env.vault->new_fingerprint(), provider->name(), ok.error().message));
    }
    env.vault->verified = true;
    return fmt::format("the new key (fingerprint {}) works ({} test call)", env.vault->new_fingerprint(),
                       provider->name());
}

result<std::string> revoke(const plan_step& step, const step_environment& env) {
    auto* provider = provider_of(step, env);
    if (provider == nullptr) {
        return fail(error_kind::unavailable, "secret.revoke: no provider for " + step_param(step, "secret"));
    }
    // The runbook's one hard rule: never revoke the old credential before the new one is verified (§6).
    if (!env.vault->verified) {
        return fail(error_kind::conflict, "refusing to revoke: the new key was not verified in this run");
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
        const std::string text = hand_revoke_text(step_param(step, "secret"), provider->name());
        spdlog::warn("{}: {}", step_param(step, "secret"), text);
        return text;
    }
    return fmt::format("revoked {} old key(s): `{}`", revoked.size(), fmt::join(revoked, "`, `"));
}

}  // namespace

result<std::string> run_rotate_step(const plan_step& step, const step_environment& env) {
    if (env.vault == nullptr) {
        return fail(error_kind::internal, fmt::format("{} needs the run's secret vault", step.kind));
    }
    if (step.kind == "secret.generate") {
        return generate(step, env);
    }
    if (step.kind == "secret.reencrypt") {
        return reencrypt(step, env);
    }
    if (step.kind == "secret.stage" || step.kind == "secret.unstage") {
        return stage(step, env);
    }
    if (step.kind == "secret.write_railway" || step.kind == "secret.write_vercel") {
        return write(step, env);
    }
    if (step.kind == "secret.verify") {
        return verify(step, env);
    }
    if (step.kind == "secret.revoke") {
        return revoke(step, env);
    }
    if (step.kind.starts_with("manual.")) {
        return run_manual_step(step, env);
    }
    return fail(error_kind::internal, fmt::format("no rotation runner for step kind `{}`", step.kind));
}

}  // namespace opsbot::commands
