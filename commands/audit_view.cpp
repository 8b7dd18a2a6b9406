#include "commands/audit_view.hpp"

#include "core/mrkdwn.hpp"
#include "storage/audit_log.hpp"

#include <fmt/format.h>

namespace opsbot::commands {
namespace {

constexpr std::size_t detail_chars = 120;

std::string line_of(const storage::audit_entry& e) {
    std::string detail = e.detail_json == "{}" ? "" : e.detail_json;
    if (count_chars(detail) > detail_chars) {
        detail = detail.substr(0, head_cut(detail, detail_chars)) + "…";
    }
    return fmt::format("#{:<4} {} {:<5} {:<5} {:<18} {}", e.seq, e.time.substr(0, 19), e.actor,
                       e.action ? e.action->str() : "-", e.event, detail);
}

}  // namespace

reply run_audit_view(const parsed_command& command, const command_context& context) {
    if (context.db == nullptr) {
        return reply{"The audit log needs the bot's database, which is not open.", false, true};
    }
    storage::audit_log audit(*context.db, context.clk);
    const std::string target = command.arg("target").value_or("20");
    const bool one_action = target.starts_with("A-");
    auto entries = one_action ? audit.for_action(action_id(target)) : audit.tail(std::stoll(target));
    if (!entries) {
        return reply{"Could not read the audit log: " + escape_mrkdwn(entries.error().message), false, true};
    }
    if (entries->empty()) {
        return reply{one_action ? fmt::format("No audit entries for {}.", escape_mrkdwn(target))
                                : std::string("The audit log is empty."),
                     false, false};
    }
    std::string body;
    for (const auto& e : *entries) {
        body += line_of(e) + "\n";
    }
    auto verified = audit.verify();
    std::string chain = !verified        ? "could not verify the chain"
                        : verified->ok() ? fmt::format("chain intact ({} entries)", verified->entries)
                                         : fmt::format("CHAIN BROKEN at entry {}", *verified->broken_seq);
    std::string title = one_action ? fmt::format("*Audit of {}*", escape_mrkdwn(target))
                                   : fmt::format("*Last {} audit entries*", entries->size());
    // Slack shows at most ~3000 characters a section: keep the newest lines, which are the end.
    if (count_chars(body) > 2600) {
        body = "…\n" + body.substr(tail_cut(body, 2600));
    }
    return reply{fmt::format("{} · {}\n```{}```", title, chain, escape_mrkdwn(body)), false, false};
}

}  // namespace opsbot::commands
