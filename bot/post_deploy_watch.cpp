#include "bot/post_deploy_watch.hpp"

#include "core/mrkdwn.hpp"
#include "storage/time_format.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::bot {
namespace {

constexpr std::size_t issues_shown = 5;

/// "127.0.0.1:8080" from "http://127.0.0.1:8080/health": how monitors are matched to services (as /deploy verify).
std::string authority_of(std::string_view url) {
    auto start = url.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return std::string(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

long minutes_between(clock::time_point from, clock::time_point to) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::minutes>(to - from).count());
}

std::string issue_line(const adapters::sentry_issue& issue) {
    std::string name = issue.short_id.empty() ? issue.id : issue.short_id;
    bool linkable = (issue.permalink.starts_with("https://") || issue.permalink.starts_with("http://")) &&
                    issue.permalink.find_first_of("<>| ") == std::string::npos;
    std::string shown = linkable ? fmt::format("<{}|{}>", issue.permalink, escape_mrkdwn(name)) : escape_mrkdwn(name);
    return fmt::format("• {} {} ({} event(s), level {})", shown, escape_mrkdwn(issue.title), issue.count,
                       escape_mrkdwn(issue.level));
}

boost::json::array names_of(const std::vector<std::string>& names) {
    boost::json::array out;
    for (const auto& n : names) {
        out.emplace_back(n);
    }
    return out;
}

}  // namespace

void start_watch_after(post_deploy_watch* watch, const storage::action_record& action, const commands::plan& plan) {
    if (watch != nullptr) {
        watch->start(action, plan);
    }
}

std::vector<std::string> watched_authorities(const stack_config& config, const std::string& service,
                                             const std::string& environment) {
    std::vector<const service_config*> services;
    if (auto it = config.services.find(service); it != config.services.end()) {
        services.push_back(&it->second);
    } else {
        for (const auto& [name, s] : config.services) {
            services.push_back(&s);
        }
    }
    std::vector<std::string> out;
    for (const auto* s : services) {
        if (auto url = s->health_url.find(environment); url != s->health_url.end()) {
            out.push_back(authority_of(url->second));
        }
        if (s->platform == platform_kind::vercel && !s->url.empty() && environment == "production") {
            out.push_back(authority_of(s->url));
        }
    }
    return out;
}

post_deploy_watch::post_deploy_watch(const stack_config& config, storage::database& db, const clock& clk,
                                     const commands::platform_registry& platforms, web_api& slack)
    : config_(config),
      clk_(clk),
      platforms_(platforms),
      watches_(db, clk),
      incidents_(slack, config.slack.incident_channel) {}

void post_deploy_watch::start(const storage::action_record& action, const commands::plan& plan) {
    if (!platforms_.sentry_issues && !platforms_.betterstack_monitors) {
        spdlog::info("{} succeeded; no post-deploy watch: neither Sentry nor BetterStack is connected (monitoring)",
                     action.id.str());
        return;
    }
    const auto now = clk_.now();
    storage::new_watch w;
    w.action = action.id;
    w.family = plan.family;
    w.title = plan.title;
    w.service = plan.service;
    w.environment = plan.environment.empty() ? "production" : plan.environment;
    w.requester = action.requester.str();
    w.channel = action.channel.str();
    w.thread_ts = action.message_ts.value_or("");
    w.started_at = now;
    w.ends_at = now + std::chrono::minutes{config_.monitoring.watch_minutes};
    w.first_check_at = now + watch_check_every;
    if (auto started = watches_.start(w); !started) {
        spdlog::error("could not start the post-deploy watch of {}: {}", action.id.str(), started.error().message);
    }
}

void post_deploy_watch::resume_at_startup() {
    auto active = watches_.active();
    if (!active) {
        spdlog::error("could not read the post-deploy watches: {}", active.error().message);
        return;
    }
    if (!active->empty()) {
        spdlog::info("resuming {} post-deploy watch(es)", active->size());
    }
    tick();
}

void post_deploy_watch::tick() {
    std::lock_guard lock(tick_mutex_);
    auto active = watches_.active();
    if (!active) {
        spdlog::error("post-deploy watch tick: {}", active.error().message);
        return;
    }
    for (const auto& watch : *active) {
        const auto now = clk_.now();
        if (now < watch.next_check_at && now < watch.ends_at) {
            continue;
        }
        // Replicas share the watches: the one that moves the next check on does this one (issue 14). Should it die
        // checking, the check is due again at `now + watch_check_every`, for whichever replica comes first.
        auto mine = watches_.claim_check(watch.action, watch.next_check_at, now + watch_check_every);
        if (!mine) {
            spdlog::error("could not claim the check of the watch of {}: {}", watch.action.str(), mine.error().message);
            continue;
        }
        if (*mine) {
            check(watch, now);
        }
    }
}

watch_findings post_deploy_watch::look(const storage::watch_record& watch) {
    watch_findings found;
    if (platforms_.sentry_issues) {
        auto issues = platforms_.sentry_issues->new_issues_since(watch.started_at, watch.environment);
        if (issues) {
            found.new_issues = std::move(issues->issues);
            found.issues_truncated = issues->truncated;
        } else {
            found.errors.push_back("Sentry: " + issues.error().message);
        }
    }
    if (platforms_.betterstack_monitors) {
        auto monitors = platforms_.betterstack_monitors->monitors();
        if (monitors) {
            const auto authorities = watched_authorities(config_, watch.service, watch.environment);
            for (const auto& m : *monitors) {
                if (m.down() && std::ranges::find(authorities, authority_of(m.url)) != authorities.end()) {
                    found.monitors_down.push_back(m.name.empty() ? m.url : m.name);
                }
            }
        } else {
            found.errors.push_back("BetterStack: " + monitors.error().message);
        }
    }
    return found;
}

void post_deploy_watch::check(const storage::watch_record& watch, clock::time_point now) {
    watch_findings found = look(watch);
    const int threshold = config_.monitoring.watch_new_issues_threshold;
    const bool too_many_issues = static_cast<int>(found.new_issues.size()) >= threshold;
    if (too_many_issues || !found.monitors_down.empty()) {
        // Post first, close after: a post Slack refused keeps the watch open, so the next check posts again
        // instead of the alert being lost. Ticks are serialized (tick_mutex_), so one process posts once.
        if (!report(watch, found, now)) {
            spdlog::error("the watch of {} found a problem but could not post it; retrying at the next check",
                          watch.action.str());
            if (auto recorded = watches_.record_check(watch.action, now + watch_check_every, std::nullopt);
                !recorded) {
                spdlog::error("could not record a check of the watch of {}: {}", watch.action.str(),
                              recorded.error().message);
            }
            return;
        }
        boost::json::array issues;
        for (const auto& i : found.new_issues) {
            issues.emplace_back(i.short_id.empty() ? i.id : i.short_id);
        }
        auto closed = watches_.close(watch.action, storage::watch_state::fired,
                                     {{"new_issues", found.new_issues.size()},
                                      {"threshold", threshold},
                                      {"issues", std::move(issues)},
                                      {"monitors_down", names_of(found.monitors_down)},
                                      {"minutes_after", minutes_between(watch.started_at, now)}});
        if (!closed) {
            spdlog::error("the watch of {} was reported but did not close as fired: {}", watch.action.str(),
                          closed.error().message);
        }
        return;
    }
    std::optional<std::string> error;
    if (!found.errors.empty()) {
        error = fmt::format("{}", fmt::join(found.errors, "; "));
        spdlog::warn("post-deploy watch of {}: {}", watch.action.str(), *error);
    }
    if (auto recorded = watches_.record_check(watch.action, now + watch_check_every, error); !recorded) {
        spdlog::error("could not record a check of the watch of {}: {}", watch.action.str(), recorded.error().message);
        return;
    }
    if (now < watch.ends_at) {
        return;
    }
    boost::json::object detail{{"new_issues", found.new_issues.size()},
                               {"threshold", threshold},
                               {"window_minutes", minutes_between(watch.started_at, watch.ends_at)}};
    if (!error) {
        if (auto closed = watches_.close(watch.action, storage::watch_state::quiet, std::move(detail)); !closed) {
            spdlog::warn("the watch of {} did not close as quiet: {}", watch.action.str(), closed.error().message);
        }
        return;
    }
    // The closing check could not see (see report_blind): warn instead of ending silently as if all were clear.
    detail["last_error"] = *error;
    if (!report_blind(watch, found)) {
        spdlog::error("the watch of {} could not see and could not post that; retrying at the next check",
                      watch.action.str());
        return;
    }
    if (auto closed = watches_.close_blind(watch.action, std::move(detail)); !closed) {
        spdlog::error("the watch of {} was reported blind but did not close: {}", watch.action.str(),
                      closed.error().message);
    }
}

bool post_deploy_watch::report_blind(const storage::watch_record& watch, const watch_findings& found) {
    // This check counts too: record_check already stored it, `watch` is the row from before it.
    const int checks = watch.checks + 1;
    const int failed = watch.failed_checks + 1;
    incident_notice notice;
    notice.severity = incident_severity::warning;
    notice.what = fmt::format("Post-deploy watch of {} ({}) could not check the monitoring: its outcome is unknown",
                              watch.action.str(), watch.title);
    notice.action_id = watch.action.str();
    notice.service = watch.service;
    notice.environment = watch.environment;
    notice.requester = watch.requester;
    notice.outcome = fmt::format("the {}-min window ended; {} of {} check(s) failed, including the last one, so "
                                 "nothing is known to be clear",
                                 minutes_between(watch.started_at, watch.ends_at), failed, checks);
    notice.channel = watch.channel;
    notice.thread_ts = watch.thread_ts;
    std::string details;
    for (const auto& e : found.errors) {
        details += fmt::format("• :warning: could not check {}\n", escape_mrkdwn(e));
    }
    notice.details_mrkdwn = details;
    notice.next_step = fmt::format(
        "Runbook §7, the first 15 minutes: check by hand now. In Sentry, look for new issues in {} first seen "
        "since {}; in BetterStack, check the monitors of {}. If either shows a problem, follow runbook §8 (roll "
        "back with `/rollback web` or `/rollback api`). Then find out why the bot could not reach them.",
        watch.environment, storage::format_iso8601_ms(watch.started_at),
        watch.service.empty() ? "every service" : watch.service);
    return incidents_.notify(notice).has_value();
}

bool post_deploy_watch::report(const storage::watch_record& watch, const watch_findings& found,
                               clock::time_point now) {
    std::vector<std::string> what;
    if (!found.new_issues.empty()) {
        what.push_back(fmt::format("{}{} new Sentry issue(s)", found.new_issues.size(),
                                   found.issues_truncated ? "+" : ""));
    }
    if (!found.monitors_down.empty()) {
        what.push_back(fmt::format("monitor(s) down: {}", fmt::join(found.monitors_down, ", ")));
    }
    incident_notice notice;
    notice.severity = incident_severity::failure;
    notice.what = fmt::format("Post-deploy watch of {} ({}) fired: {}", watch.action.str(), watch.title,
                              fmt::join(what, "; "));
    notice.action_id = watch.action.str();
    notice.service = watch.service;
    notice.environment = watch.environment;
    notice.requester = watch.requester;
    notice.outcome = fmt::format("found {} min after the action finished (watching {} min; new issues threshold {})",
                                 minutes_between(watch.started_at, now),
                                 minutes_between(watch.started_at, watch.ends_at),
                                 config_.monitoring.watch_new_issues_threshold);
    notice.channel = watch.channel;
    notice.thread_ts = watch.thread_ts;
    std::string details;
    for (std::size_t i = 0; i < found.new_issues.size() && i < issues_shown; ++i) {
        details += issue_line(found.new_issues[i]) + "\n";
    }
    if (found.new_issues.size() > issues_shown) {
        details += fmt::format("• … and {} more\n", found.new_issues.size() - issues_shown);
    }
    for (const auto& m : found.monitors_down) {
        details += fmt::format("• :red_circle: BetterStack monitor *{}* is down\n", escape_mrkdwn(m));
    }
    notice.details_mrkdwn = details;
    notice.next_step =
        !found.monitors_down.empty()
            ? "Runbook §8, site down after deploy: roll back now with the fastest method (`/rollback web`, "
              "`/rollback api` or `/incident site-down`), verify the rollback (health, site load), then investigate "
              "the root cause on the rolled-back commit."
            : "Runbook §8, high error rate after deploy: check the new issues in Sentry. If they hit core "
              "functionality (auth, webhooks, workflows) roll back now (`/rollback web` or `/rollback api`); if "
              "isolated, consider a targeted fix; if transient (timeouts, cold starts), monitor for 5 minutes.";
    // notify() logs a refused post; the caller keeps the watch open so the next check retries.
    return incidents_.notify(notice).has_value();
}

}  // namespace opsbot::bot
