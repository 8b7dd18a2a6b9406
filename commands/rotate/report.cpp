#include "commands/rotate/report.hpp"

#include "commands/grammar/mrkdwn.hpp"
#include "commands/plan/request.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace opsbot::commands {

std::string hand_revoke_text(const std::string& secret, const std::string& provider) {
    std::string dashboard = provider;
    if (provider == "resend") {
        dashboard = "Resend dashboard (API Keys)";
    } else if (provider == "openai") {
        dashboard = "OpenAI dashboard (the project's service accounts)";
    }
    return fmt::format("no old key was revoked: opsbot found no key it made, so the previous {} was not made by "
                       "opsbot and is *still valid*: revoke it by hand in the {}",
                       secret, dashboard);
}

std::string rotated_secret(const plan& p) { return p.family == "rotate" ? stored_request::from_json(p.request).arg("secret") : ""; }

std::string rotate_state_mrkdwn(const stack_config& config, const plan& p, const secret_vault& vault, bool failed) {
    const std::string name = rotated_secret(p);
    auto secret = config.secrets.find(name);
    if (secret == config.secrets.end()) {
        return {};
    }
    std::string out;
    const std::string fp = vault.new_fingerprint();
    out += fp.empty() ? "• New value: none was made or seen in this run\n"
                      : fmt::format("• New value: fingerprint `{}`{}\n", fp,
                                    vault.new_key_id.empty() ? "" : fmt::format(" (key id `{}`)",
                                                                                escape_mrkdwn(vault.new_key_id)));
    for (const auto& service : secret->second.services) {
        auto cfg = config.services.find(service);
        const std::string_view platform = cfg == config.services.end() ? "?" : display_name(cfg->second.platform);
        const bool holds = vault.holding_new.contains(service);
        out += fmt::format("• `{}` ({} {}): {}\n", escape_mrkdwn(service), platform,
                           escape_mrkdwn(p.environment),
                           holds ? "holds the *new* value" : "still holds the *old* value");
    }
    const bool has_revoke = std::ranges::any_of(p.steps, [](const plan_step& s) { return s.kind == "secret.revoke"; });
    if (has_revoke) {
        const std::size_t total = vault.old_key_ids.size();
        // A new key id means the list was taken: finding none is not a revocation (nothing to claim).
        if (total == 0 && !vault.new_key_id.empty()) {
            out += "• Old key: " + hand_revoke_text(escape_mrkdwn(name), std::string(to_string(secret->second.generate))) + "\n";
        } else {
            out += vault.revoked == total && !failed
                   ? fmt::format("• Old key(s): {} revoked after the new key was verified\n", total)
                   : fmt::format("• Old key(s): {} of {} revoked, the rest *still valid*{}\n", vault.revoked, total,
                                 vault.verified ? "" : " (the new key was not verified, so none was revoked)");
        }
    }
    for (const auto& service : vault.staged_on) {
        out += fmt::format("• `{}_NEXT` on `{}`: holds the new key (staged before the re-encryption)\n",
                           escape_mrkdwn(name), escape_mrkdwn(service));
    }
    if (vault.reencrypted) {
        out += "• Stored credentials: re-encrypted with the new key\n";
    }
    return out;
}

}  // namespace opsbot::commands
