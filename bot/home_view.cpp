// The App Home view (issue 15 item 5). Block Kit limits: docs/slack.md §4 (≤100 blocks in a Home view, section
// text ≤3000 characters, header ≤150).
#include "bot/home_view.hpp"

#include "bot/plan_message.hpp"
#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace opsbot::bot {
namespace {

namespace json = boost::json;

/// Lines a list section (locks, watches, audit) shows before "…and N more": one section block each.
constexpr std::size_t max_lines = 15;

using item = std::vector<json::object>;  ///< the blocks of one entry of a list

/// One titled part of the view: a header, its entries (or the empty text), what could not be shown.
struct part {
    std::string title;
    std::string empty_text;
    std::vector<item> items;
};

std::string more_text(std::size_t n) { return fmt::format("…and {} more", n); }

/// Lines joined into one section, the ones past max_lines replaced by "…and N more".
json::object lines_section(const std::vector<std::string>& lines) {
    std::string text;
    const std::size_t shown = std::min(lines.size(), max_lines);
    for (std::size_t i = 0; i < shown; ++i) {
        text += (i == 0 ? "" : "\n") + lines[i];
    }
    if (lines.size() > shown) {
        text += "\n" + more_text(lines.size() - shown);
    }
    return section(text);
}

item service_item(const home_service& s) {
    std::string text = fmt::format("*{}* ({}): {}", escape_mrkdwn(s.name), escape_mrkdwn(s.platform), s.live_line);
    if (!s.health_line.empty()) {
        text += "\n" + s.health_line;
    }
    return {section(text)};
}

item plan_item(const home_plan& p, const std::string& user) {
    std::string text = fmt::format("*{}* · {}\nRequested by <@{}> · {} of {} approval(s) · expires {}",
                                   escape_mrkdwn(p.action_id), escape_mrkdwn(p.title), escape_mrkdwn(p.requester),
                                   p.approvals, p.required, escape_mrkdwn(p.expires_at));
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        text += fmt::format("\n{}. {}", i + 1, escape_mrkdwn(p.steps[i]));
    }
    item out{section(text, "home_plan_" + p.action_id)};
    // Buttons only for who may click them: an approver of the family, not the requester, not one who approved
    // already. The click path checks all of it again (storage/approval_store.cpp); this only spares a refusal.
    const bool may_decide =
        p.approvers.contains(user) && user != p.requester && !p.approved_by.contains(user);
    if (may_decide) {
        // The channel message's action ids and value "<action id>:<digest>" (bot/plan_message.cpp): same path.
        const std::string value = p.action_id + ":" + p.digest;
        confirm_dialog confirm{"Approve " + p.action_id + "?", truncate_plain(p.title, 250), "Approve", "Not yet",
                               button_style::primary};
        json::array buttons{button("Approve", approve_button, value, button_style::primary, confirm),
                            button("Deny", deny_button, value, button_style::danger)};
        out.push_back(actions("home_plan_actions_" + p.action_id, std::move(buttons)));
    }
    return out;
}

item running_item(const home_running& r) {
    std::string step = r.step == 0 ? std::string("starting")
                                   : fmt::format("step {} of {}: {}", r.step, r.steps, escape_mrkdwn(r.step_text));
    return {section(fmt::format(":hourglass_flowing_sand: *{}* · {}\nRequested by <@{}> · {}",
                                escape_mrkdwn(r.action_id), escape_mrkdwn(r.title), escape_mrkdwn(r.requester),
                                step))};
}

/// Every string under a "text" key, redacted: mrkdwn, plain text and the fallback alike.
void redact_texts(json::value& v, const redactor& redact) {
    if (auto* obj = v.if_object()) {
        for (auto& [key, value] : *obj) {
            if (key == "text" && value.is_string()) {
                value = redact.redact(value.get_string());
            } else {
                redact_texts(value, redact);
            }
        }
    } else if (auto* arr = v.if_array()) {
        for (auto& e : *arr) {
            redact_texts(e, redact);
        }
    }
}

}  // namespace

json::object build_home_view(const home_snapshot& snapshot, const std::string& user, const redactor& redact) {
    std::vector<part> parts;
    {
        part p{"Production", "No services are configured.", {}};
        for (const auto& s : snapshot.services) {
            p.items.push_back(service_item(s));
        }
        parts.push_back(std::move(p));
    }
    {
        part p{"Waiting for approval", "No plan is waiting for approval.", {}};
        for (const auto& plan : snapshot.plans) {
            p.items.push_back(plan_item(plan, user));
        }
        parts.push_back(std::move(p));
    }
    {
        part p{"Running", "Nothing is running.", {}};
        for (const auto& r : snapshot.running) {
            p.items.push_back(running_item(r));
        }
        parts.push_back(std::move(p));
    }
    // Locks, watches and the audit are one section each: lines, not blocks.
    auto lines_part = [&](std::string title, std::string empty, std::vector<std::string> lines) {
        part p{std::move(title), std::move(empty), {}};
        if (!lines.empty()) {
            p.items.push_back({lines_section(lines)});
        }
        parts.push_back(std::move(p));
    };
    {
        std::vector<std::string> lines;
        for (const auto& l : snapshot.locks) {
            lines.push_back(fmt::format(":lock: `{}` {} held by `{}` until {}: {}", escape_mrkdwn(l.service),
                                        escape_mrkdwn(l.environment), escape_mrkdwn(l.owner),
                                        escape_mrkdwn(l.expires_at), escape_mrkdwn(l.reason)));
        }
        lines_part("Locks", "No locks are held.", std::move(lines));
    }
    {
        std::vector<std::string> lines;
        for (const auto& w : snapshot.watches) {
            lines.push_back(fmt::format(":eyes: {} {} · {} min left · {} check(s) so far", escape_mrkdwn(w.action_id),
                                        escape_mrkdwn(w.title), w.minutes_left, w.checks));
        }
        lines_part("Post-deploy watches", "No watch is running.", std::move(lines));
    }
    {
        std::vector<std::string> lines;
        // Newest first, as someone glancing at it reads it.
        for (auto it = snapshot.audit.rbegin(); it != snapshot.audit.rend(); ++it) {
            lines.push_back(fmt::format("#{} {} · `{}` · {}{}", it->seq, escape_mrkdwn(it->time),
                                        escape_mrkdwn(it->event), escape_mrkdwn(it->actor),
                                        it->action_id.empty() ? "" : " · " + escape_mrkdwn(it->action_id)));
        }
        lines_part("Recent audit entries", "The audit log is empty.", std::move(lines));
    }

    json::array blocks;
    blocks.push_back(header("opsbot · production at a glance"));
    std::string about = "Updated " + escape_mrkdwn(snapshot.updated_at);
    if (!snapshot.label.empty()) {
        about += " · _" + escape_mrkdwn(snapshot.label) + "_";
    }
    blocks.push_back(context(about));
    if (!snapshot.problems.empty()) {
        blocks.push_back(section(":warning: " + snapshot.problems));
    }
    // The budget: each part needs at least its divider, header and one block (an entry, the empty text or "…and N
    // more"), so a long list earlier never pushes a later part out of the view.
    for (std::size_t k = 0; k < parts.size(); ++k) {
        const part& p = parts[k];
        const std::size_t later = 3 * (parts.size() - k - 1);
        blocks.push_back(divider());
        blocks.push_back(header(p.title));
        if (p.items.empty()) {
            blocks.push_back(context(p.empty_text));
            continue;
        }
        std::size_t shown = 0;
        for (const auto& entry : p.items) {
            const bool last = shown + 1 == p.items.size();
            // Room for this entry, for "…and N more" unless it is the last one, and for the parts after it.
            const std::size_t need = entry.size() + (last ? 0 : 1) + later;
            if (blocks.size() + need > home_block_limit) {
                break;
            }
            for (const auto& b : entry) {
                blocks.push_back(b);
            }
            ++shown;
        }
        if (shown < p.items.size()) {
            blocks.push_back(context(more_text(p.items.size() - shown)));
        }
    }
    json::value view = json::object{{"type", "home"}, {"blocks", std::move(blocks)}};
    redact_texts(view, redact);
    return std::move(view.get_object());
}

}  // namespace opsbot::bot
