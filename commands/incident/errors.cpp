#include "commands/incident/errors.hpp"

#include "commands/plan/concurrent_call.hpp"
#include "commands/grammar/format.hpp"
#include "commands/incident/triage.hpp"
#include "commands/grammar/mrkdwn.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <vector>

namespace opsbot::commands {
namespace {

using steady = std::chrono::steady_clock;

constexpr std::size_t shown_per_group = 10;

std::string issue_line(const adapters::sentry_issue& issue, const issue_verdict& verdict) {
    std::string line = fmt::format("\n• {} {}", code_span(issue.short_id.empty() ? issue.id : issue.short_id, 30),
                                   escape_mrkdwn(issue.title));
    if (!issue.culprit.empty()) {
        line += " — " + code_span(issue.culprit, 80);
    }
    line += fmt::format(" · {} events, {} users", issue.count, issue.user_count);
    if (!verdict.keyword.empty()) {
        line += fmt::format(" · matched _{}_", escape_mrkdwn(verdict.keyword));
    }
    if (!issue.permalink.empty()) {
        line += fmt::format(" · <{}|open>", escape_mrkdwn(issue.permalink));
    }
    return line;
}

}  // namespace

reply incident_errors_reply(const parsed_command&, const command_context& context, const deploy_timeouts& timeouts) {
    const auto& config = context.config;
    const auto& platforms = context.platforms;
    if (!config.monitoring.sentry) {
        return {"*Sentry is not configured* (config: `monitoring.sentry`), so opsbot cannot list new errors. Check "
                "the Sentry dashboard by hand (runbook §8 step 1).",
                false, true};
    }
    if (!platforms.sentry_issues) {
        return {fmt::format("*Sentry is not connected*: is `{}` set? Check the Sentry dashboard by hand (runbook §8 "
                            "step 1).",
                            escape_mrkdwn(config.monitoring.sentry->token_env)),
                false, true};
    }
    const auto deadline = steady::now() + timeouts.checklist;
    const clock& clk = context.clk;
    std::vector<std::future<result<live_deployment>>> live_calls;
    for (const auto& [name, service] : config.services) {
        live_calls.push_back(start_call([&service, &platforms, &clk] {
            return fetch_live(service, platforms, "production", clk);
        }));
    }
    // "New since the deploy": from the current production deployment, the newest of the services' live ones.
    std::optional<live_deployment> newest;
    std::vector<std::string> unread;
    for (auto& call : live_calls) {
        auto live = await(call, deadline);
        if (!live) {
            unread.push_back(no_answer_text("a platform", timeouts.checklist));
        } else if (!*live) {
            unread.push_back((*live).error().message);
        } else if (!newest || (*live)->created > newest->created) {
            newest = **live;
        }
    }
    const clock::time_point since = newest ? newest->created : clk.now() - std::chrono::hours{1};
    auto sentry_call = start_call([s = platforms.sentry_issues.get(), since] {
        return s->new_issues_since(since, "production");
    });
    auto got = await(sentry_call, deadline);
    std::string text = "*High error rate: new Sentry issues (runbook §8)*";
    text += newest ? fmt::format("\nSince the current production deployment: {} `{}` of {} ({}, {}).",
                                 escape_mrkdwn(newest->platform), escape_mrkdwn(newest->id),
                                 escape_mrkdwn(newest->service), iso8601(since), newest->age)
                   : fmt::format("\n:warning: No production deployment time could be read ({}); counting issues "
                                 "from the last hour ({}).",
                                 escape_mrkdwn(unread.empty() ? std::string("no services") : unread.front()),
                                 iso8601(since));
    if (!got) {
        return {text + "\n:x: *" + no_answer_text("Sentry", timeouts.checklist) +
                    "*. Check the Sentry dashboard by hand.",
                false, true};
    }
    if (!*got) {
        spdlog::warn("/incident errors: Sentry failed: {}", got->error().message);
        return {text + "\n:x: *Sentry could not be read*: " + escape_mrkdwn(got->error().message) +
                    ". Check the Sentry dashboard by hand.",
                false, true};
    }
    const auto& list = **got;
    if (list.issues.empty()) {
        return {text + "\n:white_check_mark: No new issues since then. If the error rate is high, it comes from "
                       "older issues: check Sentry for regressions.",
                false, false};
    }
    std::map<issue_class, std::vector<std::string>> groups;
    std::map<issue_class, std::size_t> counts;
    for (const auto& issue : list.issues) {
        auto verdict = classify_issue(issue);
        if (groups[verdict.cls].size() < shown_per_group) {
            groups[verdict.cls].push_back(issue_line(issue, verdict));
        }
        ++counts[verdict.cls];
    }
    text += fmt::format("\n{}{} new issue(s).", list.issues.size(), list.truncated ? "+" : "");
    reply r{"", false, false};
    auto section = [&](issue_class c, std::string_view heading, std::string advice) {
        if (!counts.contains(c)) {
            return;
        }
        text += fmt::format("\n\n*{}* ({})", heading, counts[c]);
        for (const auto& line : groups[c]) {
            text += line;
        }
        if (counts[c] > groups[c].size()) {
            text += fmt::format("\n• … and {} more", counts[c] - groups[c].size());
        }
        text += "\n" + advice;
    };
    std::string rollback_cmd;
    if (newest) {
        rollback_cmd = fmt::format("`/rollback {}` ({} deployed last, {})", escape_mrkdwn(newest->service),
                                   escape_mrkdwn(newest->service), newest->age);
    } else {
        for (const auto& [name, service] : config.services) {
            rollback_cmd += (rollback_cmd.empty() ? "" : " or ") + fmt::format("`/rollback {}`", escape_mrkdwn(name));
        }
    }
    section(issue_class::core, ":rotating_light: Core functionality (auth, webhooks, workflows)",
            fmt::format("*Roll back now*: {}; both services: `/incident site-down`.", rollback_cmd));
    section(issue_class::transient, ":hourglass: Transient (timeouts, connections, cold starts)",
            fmt::format("*Watch for 5 minutes* (until {}): Railway and Vercel may need time to stabilise after a "
                        "deploy. Run `/incident errors` again then.",
                        iso8601(clk.now() + std::chrono::minutes{5})));
    section(issue_class::isolated, ":mag: Isolated to a feature",
            "*Consider a targeted fix* instead of a full rollback.");
    text += "\n\n_Grouping is a keyword heuristic over issue titles and culprits: read the issues before acting._";
    r.text = std::move(text);
    if (counts.contains(issue_class::core)) {
        r.notify_incident = true;
        r.incident_summary =
            fmt::format(":rotating_light: `/incident errors`: {} new Sentry issue(s) look like core functionality "
                        "(auth, webhooks, workflows): roll back now with {}.",
                        counts[issue_class::core], rollback_cmd);
    }
    return r;
}

reply incident_errors_reply(const parsed_command& command, const command_context& context) {
    return incident_errors_reply(command, context, deploy_timeouts{});
}

}  // namespace opsbot::commands
