#include "bot/incident_followup.hpp"

#include "bot/incident_notifier.hpp"
#include "bot/slack/block_kit.hpp"
#include "commands/incident/record.hpp"
#include "commands/incident/secret_leaked.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "commands/plan/request.hpp"
#include "core/json_fields.hpp"
#include "storage/audit_log.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

namespace opsbot::bot {
namespace {

using commands::escape_mrkdwn;

constexpr std::chrono::seconds web_check_timeout{15};

void post_in_thread(const action_flow_deps& deps, const finished_run& run, const std::string& text) {
    auto sent =
        deps.slack.post_message(run.action.channel.str(), text_message(text), run.action.message_ts.value_or(""));
    if (!sent) {
        spdlog::error("incident follow-up of {}: could not post in its thread: {}", run.action.id.str(),
                      sent.error().message);
    }
}

incident_notice notice_for(const action_flow_deps&, const finished_run& run, incident_severity severity,
                           std::string what) {
    incident_notice notice;
    notice.severity = severity;
    notice.what = std::move(what);
    notice.action_id = run.action.id.str();
    notice.service = run.plan.service;
    notice.environment = run.plan.environment;
    notice.requester = run.action.requester.str();
    notice.outcome = run.outcome;
    notice.channel = run.action.channel.str();
    notice.thread_ts = run.action.message_ts.value_or("");
    return notice;
}

/// Runbook §8 step 2: "verify the rollback resolved the issue (health check, site load)". /health is a plan step;
/// the site load is checked here, for each web service the plan rolled back.
void check_sites(const action_flow_deps& deps, const finished_run& run) {
    std::vector<std::string> urls;
    for (const auto& step : run.plan.steps) {
        if (step.kind != "vercel.rollback") {
            continue;
        }
        auto service = deps.config.services.find(json_string(step.params, "service"));
        if (service != deps.config.services.end() && !service->second.url.empty()) {
            urls.push_back(service->second.url);
        }
    }
    if (urls.empty()) {
        return;
    }
    std::string text;
    std::vector<std::string> failed;
    for (const auto& url : urls) {
        std::string line;
        if (!deps.platforms.health) {
            line = url + ": no HTTP checker configured";
        } else if (auto got = deps.platforms.health->check(url, web_check_timeout); !got) {
            line = url + ": " + got.error().message;
        } else if (got->http_status != 200) {
            line = fmt::format("{} answered HTTP {}", url, got->http_status);
        } else {
            text += "\n:white_check_mark: *Web loads*: " + escape_mrkdwn(url) + " answered 200";
            continue;
        }
        failed.push_back(line);
        text += "\n:x: *Web does not load*: " + escape_mrkdwn(line);
    }
    storage::audit_log audit(deps.db, deps.clk);
    boost::json::array checked;
    for (const auto& url : urls) {
        checked.emplace_back(url);
    }
    if (auto entry = audit.append({"opsbot", run.action.id, "incident.web_check",
                                   {{"urls", std::move(checked)}, {"ok", failed.empty()}}});
        !entry) {
        spdlog::error("incident follow-up of {}: could not audit the web check: {}", run.action.id.str(),
                      entry.error().message);
    }
    post_in_thread(deps, run, "*After the rollback* (runbook §8 step 2)" + text +
                                  (failed.empty() ? "\nNext: investigate the root cause on the rolled-back commit."
                                                  : ""));
    if (!failed.empty()) {
        auto notice = notice_for(deps, run, incident_severity::failure,
                                 fmt::format("{}: rolled back, but the site still does not load", run.plan.title));
        notice.outcome = fmt::format("{}", fmt::join(failed, "; "));
        notice.next_step = "Check the platform dashboards and logs; if the database is the cause, see "
                           "`/incident migration-failed` (runbook §8).";
        incident_notifier(deps.slack, deps.config.slack.incident_channel).announce(notice);
    }
}

void keep_leak_record(const action_flow_deps& deps, const finished_run& run) {
    const std::string secret = commands::stored_request::from_json(run.plan.request).arg("secret");
    const commands::incident_record record =
        commands::leaked_secret_record(deps.config, secret, run.action.created_at, run.action.id.str(), run.succeeded,
                                       run.outcome, run.action.requester.str());
    storage::audit_log audit(deps.db, deps.clk);
    auto entry = audit.append({"opsbot", run.action.id, "incident.record", record.to_json()});
    std::string kept;
    if (entry) {
        kept = fmt::format("\n_Kept in the audit log (#{}, `/audit {}`)._", entry->seq, run.action.id.str());
    } else {
        spdlog::error("incident follow-up of {}: could not keep the incident record: {}", run.action.id.str(),
                      entry.error().message);
        kept = "\n:warning: Not kept in the audit log: " + escape_mrkdwn(entry.error().message);
    }
    // The incident channel already has the rotation's one notice (see name_leak_notice); the record goes to the
    // thread it links to.
    post_in_thread(deps, run, record.render() + kept);
}

}  // namespace

void follow_up_incident(const action_flow_deps& deps, const finished_run& run) {
    if (json_string(run.plan.request, "family") != "incident") {
        return;
    }
    const std::string subcommand = json_string(run.plan.request, "subcommand");
    if (subcommand == "site-down" && run.succeeded) {
        check_sites(deps, run);
    } else if (subcommand == "secret-leaked") {
        keep_leak_record(deps, run);
    }
}

void name_leak_notice(const commands::plan& plan, bool failed, incident_notice& notice) {
    if (json_string(plan.request, "family") != "incident" || json_string(plan.request, "subcommand") != "secret-leaked") {
        return;
    }
    const std::string secret = commands::stored_request::from_json(plan.request).arg("secret");
    notice.what = fmt::format("Leaked secret {}: rotation {}", secret, failed ? "failed" : "succeeded");
    // A leak stays serious after a good rotation: the exposure window still has to be checked.
    notice.severity = failed ? incident_severity::failure : incident_severity::warning;
    if (!failed) {
        notice.next_step = fmt::format("Work through the leaked-secret checklist in the thread (runbook §8); the "
                                       "incident record is in the thread and kept in the audit log (`/audit {}`).",
                                       notice.action_id);
    }
}

void on_incident_plan_posted(const action_flow_deps& deps, const commands::plan& plan, const std::string& channel,
                             const std::string& thread_ts) {
    if (json_string(plan.request, "family") != "incident" || json_string(plan.request, "subcommand") != "secret-leaked") {
        return;
    }
    const std::string secret = commands::stored_request::from_json(plan.request).arg("secret");
    auto sent = deps.slack.post_message(channel, text_message(commands::leaked_checklist_text(deps.config, secret)),
                                        thread_ts);
    if (!sent) {
        spdlog::error("could not post the leaked-secret checklist in the thread: {}", sent.error().message);
    }
}

}  // namespace opsbot::bot
