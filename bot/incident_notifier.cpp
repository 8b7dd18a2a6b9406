#include "bot/incident_notifier.hpp"

#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::bot {

std::string message_link(const std::string& channel, const std::string& ts) {
    std::string id = ts;
    id.erase(std::remove(id.begin(), id.end(), '.'), id.end());
    return fmt::format("https://slack.com/archives/{}/p{}", channel, id);
}

message render_incident(const incident_notice& n) {
    std::string_view icon = n.severity == incident_severity::failure   ? ":rotating_light:"
                            : n.severity == incident_severity::warning ? ":warning:"
                                                                       : ":information_source:";
    boost::json::array blocks;
    blocks.push_back(section(fmt::format("{} *{}*", icon, escape_mrkdwn(n.what))));
    std::string facts;
    if (!n.service.empty()) {
        facts += fmt::format("*Service:* {}{}\n", escape_mrkdwn(n.service),
                             n.environment.empty() ? "" : " (" + escape_mrkdwn(n.environment) + ")");
    }
    if (!n.action_id.empty()) {
        facts += fmt::format("*Action:* {}\n", escape_mrkdwn(n.action_id));
    }
    if (!n.requester.empty()) {
        facts += fmt::format("*Requested by:* <@{}>\n", escape_mrkdwn(n.requester));
    }
    if (!n.approvers.empty()) {
        std::string who;
        for (const auto& a : n.approvers) {
            who += fmt::format(" <@{}>", escape_mrkdwn(a));
        }
        facts += "*Approved by:*" + who + "\n";
    }
    if (!n.outcome.empty()) {
        facts += fmt::format("*Outcome:* {}\n", escape_mrkdwn(n.outcome));
    }
    if (!n.channel.empty() && !n.thread_ts.empty()) {
        facts += fmt::format("*Thread:* <{}|open the action's thread>\n", message_link(n.channel, n.thread_ts));
    }
    if (!facts.empty()) {
        blocks.push_back(section(facts));
    }
    if (!n.details_mrkdwn.empty()) {
        blocks.push_back(section(n.details_mrkdwn));
    }
    if (!n.next_step.empty()) {
        blocks.push_back(section("*Next step:* " + escape_mrkdwn(n.next_step)));
    }
    return make_message(escape_mrkdwn(n.what + (n.outcome.empty() ? "" : ": " + n.outcome)), std::move(blocks));
}

incident_notifier::incident_notifier(web_api& slack, std::string incident_channel)
    : slack_(slack), channel_(std::move(incident_channel)) {}

result<posted_message> incident_notifier::notify(const incident_notice& notice) {
    if (channel_.empty()) {
        spdlog::warn("no slack.incident_channel configured; incident not posted: {}", notice.what);
        return fail(error_kind::unavailable, "slack.incident_channel is not configured");
    }
    auto posted = slack_.post_message(channel_, render_incident(notice));
    if (!posted) {
        spdlog::error("could not post to the incident channel ({}): {}", notice.what, posted.error().message);
    }
    return posted;
}

void incident_notifier::announce(const incident_notice& notice) {
    if (auto posted = notify(notice); posted) {
        spdlog::debug("incident posted: {}", notice.what);
    }
}

}  // namespace opsbot::bot
