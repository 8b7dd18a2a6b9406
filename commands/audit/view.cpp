#include "commands/audit/view.hpp"

#include "core/mrkdwn.hpp"
#include "storage/audit_log.hpp"
#include "storage/break_glass_store.hpp"
#include "storage/time_format.hpp"

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

/// Break-glass uses stay visible until another approver acknowledges them (issue #7): for one action its status,
/// otherwise every unreviewed use. Empty when there is nothing to say.
std::string break_glass_lines(const command_context& context, const std::optional<action_id>& one) {
    storage::break_glass_store glass(*context.db, context.clk);
    if (one) {
        auto use = glass.find(*one);
        if (!use) {
            return "\n:warning: could not read the break-glass record: " + escape_mrkdwn(use.error().message);
        }
        if (!*use) {
            return "";
        }
        const auto& u = **use;
        std::string status = "*unreviewed*";
        if (u.reviewed()) {
            status = fmt::format("acknowledged by <@{}> at {}", escape_mrkdwn(u.acknowledged_by->str()),
                                 storage::format_iso8601_ms(*u.acknowledged_at).substr(0, 19));
        }
        return fmt::format("\n:rotating_light: *Break-glass* by <@{}>: {} · {}", escape_mrkdwn(u.requester.str()),
                           escape_mrkdwn(u.reason), status);
    }
    auto open = glass.unreviewed();
    if (!open) {
        return "\n:warning: could not read unreviewed break-glass uses: " + escape_mrkdwn(open.error().message);
    }
    if (open->empty()) {
        return "";
    }
    std::string out = fmt::format("\n:rotating_light: *Unreviewed break-glass* ({}):", open->size());
    constexpr std::size_t shown = 5;
    for (std::size_t i = 0; i < open->size() && i < shown; ++i) {
        const auto& u = (*open)[i];
        std::string reason = u.reason;
        if (count_chars(reason) > 100) {
            reason = reason.substr(0, head_cut(reason, 100)) + "…";
        }
        out += fmt::format("\n• {} by <@{}>: {}", escape_mrkdwn(u.action.str()), escape_mrkdwn(u.requester.str()),
                           escape_mrkdwn(reason));
    }
    if (open->size() > shown) {
        out += fmt::format("\n• … and {} more", open->size() - shown);
    }
    return out;
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
    title += break_glass_lines(context, one_action ? std::optional<action_id>(action_id(target)) : std::nullopt);
    // Slack shows at most ~3000 characters a section: keep the newest lines, which are the end.
    if (count_chars(body) > 2600) {
        body = "…\n" + body.substr(tail_cut(body, 2600));
    }
    return reply{fmt::format("{} · {}\n```{}```", title, chain, escape_mrkdwn(body)), false, false};
}

}  // namespace opsbot::commands
