#include "commands/deploy/verify.hpp"

#include "commands/deploy/verify_logs.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "commands/grammar/format.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "storage/audit_log.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

namespace opsbot::commands {
namespace {

using health_result = result<adapters::health_report>;
using steady = std::chrono::steady_clock;

/// "127.0.0.1:8080" from "http://127.0.0.1:8080/health": how monitors are matched to services.
std::string authority_of(std::string_view url) {
    auto start = url.find("://");
    start = start == std::string_view::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return std::string(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

void add_health(checklist& list, const std::string& label, std::optional<health_result> got,
                std::chrono::milliseconds waited) {
    if (!got) {
        list.add(check_mark::fail, label, no_answer_text("/health", waited));
    } else if (!*got) {
        list.add(check_mark::fail, label, got->error().message);
    } else if (!(*got)->ok) {
        list.add(check_mark::fail, label, (*got)->reason);
    } else {
        list.add(check_mark::ok, label,
                 fmt::format("status {}, db {}, redis {}", (*got)->status, (*got)->db.empty() ? "n/a" : (*got)->db,
                             (*got)->redis.empty() ? "n/a" : (*got)->redis));
    }
}

void add_web(checklist& list, const std::string& label, const std::string& url, std::optional<health_result> got,
             std::chrono::milliseconds waited) {
    if (!got) {
        list.add(check_mark::fail, label, url + ": " + no_answer_text("the web app", waited));
    } else if (!*got) {
        list.add(check_mark::fail, label, url + ": " + got->error().message);
    } else if ((*got)->http_status != 200) {
        list.add(check_mark::fail, label, fmt::format("{} answered HTTP {}", url, (*got)->http_status));
    } else {
        list.add(check_mark::ok, label, url + " answered 200");
    }
}

void add_sentry(checklist& list, const stack_config& config, const platform_registry& platforms,
                std::optional<result<adapters::sentry_issue_list>> got, clock::time_point since,
                std::chrono::milliseconds waited) {
    const std::string label = "Sentry";
    if (!config.monitoring.sentry) {
        list.add(check_mark::warn, label, "needs `monitoring.sentry` configured");
        return;
    }
    if (!platforms.sentry_issues) {
        list.add(check_mark::warn, label, "Sentry is not connected (is " + config.monitoring.sentry->token_env +
                                              " set?)");
        return;
    }
    if (!got) {
        list.add(check_mark::warn, label, no_answer_text("Sentry", waited));
        return;
    }
    if (!*got) {
        list.add(check_mark::warn, label, "Sentry: " + got->error().message);
        return;
    }
    const auto& issues = (*got)->issues;
    if (issues.empty()) {
        list.add(check_mark::ok, label, "no new issues since " + iso8601(since));
        return;
    }
    bool errors = false;
    std::vector<std::string> shown;
    for (const auto& issue : issues) {
        errors = errors || issue.level == "error" || issue.level == "fatal";
        if (shown.size() < 5) {
            shown.push_back(fmt::format("{} {} ({} events)", issue.short_id, issue.title, issue.count));
        }
    }
    list.add(errors ? check_mark::fail : check_mark::warn, label,
             fmt::format("{}{} new issue(s) since {}: {}", issues.size(), (*got)->truncated ? "+" : "",
                         iso8601(since), fmt::join(shown, "; ")));
}

void add_monitors(checklist& list, const stack_config& config, const platform_registry& platforms,
                  const std::vector<std::string>& authorities,
                  std::optional<result<std::vector<adapters::monitor_state>>> got, std::chrono::milliseconds waited) {
    const std::string label = "BetterStack";
    if (!config.monitoring.betterstack) {
        list.add(check_mark::warn, label, "needs `monitoring.betterstack` configured");
        return;
    }
    if (!platforms.betterstack_monitors) {
        list.add(check_mark::warn, label, "BetterStack is not connected (is " +
                                              config.monitoring.betterstack->token_env + " set?)");
        return;
    }
    if (!got) {
        list.add(check_mark::warn, label, no_answer_text("BetterStack", waited));
        return;
    }
    if (!*got) {
        list.add(check_mark::warn, label, "BetterStack: " + got->error().message);
        return;
    }
    std::vector<std::string> down;
    std::vector<std::string> other;
    int up = 0;
    for (const auto& m : **got) {
        if (std::find(authorities.begin(), authorities.end(), authority_of(m.url)) == authorities.end()) {
            continue;
        }
        if (m.up()) {
            ++up;
        } else if (m.down()) {
            down.push_back(m.name);
        } else {
            other.push_back(m.name + " " + m.status);
        }
    }
    if (!down.empty()) {
        list.add(check_mark::fail, label, fmt::format("down: {}", fmt::join(down, ", ")));
    } else if (!other.empty()) {
        list.add(check_mark::warn, label, fmt::format("{} up; not up: {}", up, fmt::join(other, ", ")));
    } else if (up == 0) {
        list.add(check_mark::warn, label, "no monitor watches the services' URLs");
    } else {
        list.add(check_mark::ok, label, fmt::format("all {} monitor(s) of the services are up", up));
    }
}

void add_migrations(checklist& list, std::optional<result<adapters::prisma_status>> got,
                    std::chrono::milliseconds waited) {
    const std::string label = "Migrations";
    if (!got) {
        list.add(check_mark::warn, label, no_answer_text("The database", waited));
    } else if (!*got) {
        list.add(check_mark::warn, label,
                 got->error().kind == error_kind::unavailable ? "migration status needs `migrations` configured"
                                                             : got->error().message);
    } else if (!(*got)->failed.empty()) {
        list.add(check_mark::fail, label, fmt::format("failed: {}", fmt::join((*got)->failed, ", ")));
    } else if (!(*got)->pending.empty()) {
        list.add(check_mark::warn, label, fmt::format("pending: {}", fmt::join((*got)->pending, ", ")));
    } else {
        list.add(check_mark::ok, label, fmt::format("schema up to date ({} applied)", (*got)->applied.size()));
    }
}

}  // namespace

checklist deploy_verify_checklist(const stack_config& config, const platform_registry& platforms, const clock& clk,
                                  const std::string& environment, const deploy_timeouts& timeouts) {
    const auto deadline = steady::now() + timeouts.checklist;
    const auto t = timeouts.checklist;
    auto* checker = platforms.health.get();
    std::vector<std::string> authorities;
    std::vector<std::pair<std::string, std::future<health_result>>> health_calls;
    std::vector<std::pair<std::string, std::future<health_result>>> web_calls;
    std::vector<std::pair<const service_config*, std::future<result<live_deployment>>>> live_calls;
    for (const auto& [name, service] : config.services) {
        if (auto url = service.health_url.find(environment); url != service.health_url.end()) {
            authorities.push_back(authority_of(url->second));
            if (checker != nullptr) {
                health_calls.emplace_back(name, start_call([checker, u = url->second, t] { return checker->check(u, t); }));
            }
        }
        if (service.platform == platform_kind::vercel && !service.url.empty() && environment == "production") {
            authorities.push_back(authority_of(service.url));
            if (checker != nullptr) {
                web_calls.emplace_back(service.url,
                                       start_call([checker, u = service.url, t] { return checker->check(u, t); }));
            }
        }
        live_calls.emplace_back(&service, start_call([&service, &platforms, &clk, environment] {
            return fetch_live(service, platforms, environment, clk);
        }));
    }
    std::optional<std::future<result<std::vector<adapters::monitor_state>>>> monitors;
    if (platforms.betterstack_monitors) {
        monitors = start_call([bs = platforms.betterstack_monitors.get()] { return bs->monitors(); });
    }
    auto migrations = start_call([&platforms, environment] { return fetch_migrations(platforms, environment); });

    checklist list;
    list.title = fmt::format("Post-deploy verification: {} (runbook §7)", environment);
    if (health_calls.empty()) {
        list.add(check_mark::warn, "Health", "no `health_url` configured for " + environment);
    }
    for (auto& [name, call] : health_calls) {
        add_health(list, "Health of " + name, await(call, deadline), t);
    }
    for (auto& [url, call] : web_calls) {
        add_web(list, "Web loads", url, await(call, deadline), t);
    }
    // New Sentry issues are counted from the newest live deployment; without one, the runbook's 15 minutes.
    clock::time_point since = clk.now() - std::chrono::minutes{15};
    bool found = false;
    std::vector<log_line_search> log_searches;
    for (auto& [service, call] : live_calls) {
        auto live = await(call, deadline);
        if (live && *live && (!found || (*live)->created > since)) {
            since = (*live)->created;
            found = true;
        }
        // The workers' start-up lines are looked for in the deployment that serves now (runbook §7).
        const std::string why_not = !live    ? no_answer_text(std::string(display_name(service->platform)), t)
                                    : !*live ? "no live deployment: " + live->error().message
                                             : std::string();
        auto searches = start_log_line_searches(*service, platforms, live && *live ? (*live)->id : "", why_not);
        std::ranges::move(searches, std::back_inserter(log_searches));
    }
    std::optional<result<adapters::sentry_issue_list>> issues;
    if (platforms.sentry_issues && config.monitoring.sentry) {
        auto call = start_call([s = platforms.sentry_issues.get(), since, environment] {
            return s->new_issues_since(since, environment);
        });
        issues = await(call, deadline);
    }
    add_sentry(list, config, platforms, std::move(issues), since, t);
    std::optional<result<std::vector<adapters::monitor_state>>> monitor_states;
    if (monitors) {
        monitor_states = await(*monitors, deadline);
    }
    add_monitors(list, config, platforms, authorities, std::move(monitor_states), t);
    add_migrations(list, await(migrations, deadline), t);
    for (auto& search : log_searches) {
        add_log_line(list, search, deadline, t);
    }
    add_manual_checks(list, config, environment);
    return list;
}

result<std::int64_t> record_verification(storage::database& db, const clock& clk, const std::string& actor,
                                         const std::string& environment, const checklist& list) {
    boost::json::array lines;
    for (const auto& line : list.lines) {
        lines.emplace_back(fmt::format("{} {}: {}", to_string(line.mark), line.label, line.reason));
    }
    boost::json::array manual;
    for (const auto& item : list.manual) {
        manual.emplace_back(item);
    }
    const bool failed = list.worst() == check_mark::fail;
    storage::audit_log log(db, clk);
    auto entry = log.append({actor, std::nullopt, failed ? "verify.failed" : "verify.succeeded",
                             {{"environment", environment},
                              {"lines", std::move(lines)},
                              {"manual", std::move(manual)}}});
    if (!entry) {
        return std::unexpected(entry.error());
    }
    return entry->seq;
}

reply deploy_verify_reply(const parsed_command& command, const command_context& context) {
    const std::string environment = command.arg("env").value_or("production");
    checklist list = deploy_verify_checklist(context.config, context.platforms, context.clk, environment, {});
    std::string text = list.render();
    if (context.db != nullptr) {
        auto seq = record_verification(*context.db, context.clk, command.user.str(), environment, list);
        if (seq) {
            text += fmt::format("\n_Recorded in the audit log (#{})._", *seq);
        } else {
            spdlog::error("could not record /deploy verify {}: {}", environment, seq.error().message);
            text += "\n" + std::string(mark_symbol(check_mark::warn)) + " not recorded in the audit log: " +
                    escape_mrkdwn(seq.error().message);
        }
    }
    reply r{text, false, false};
    if (list.worst() == check_mark::fail) {
        r.is_error = true;
        r.notify_incident = true;
        r.incident_summary = fmt::format("{} `/deploy verify {}` failed: {}", mark_symbol(check_mark::fail),
                                         escape_mrkdwn(environment), escape_mrkdwn(list.summary_of(check_mark::fail)));
    }
    return r;
}

}  // namespace opsbot::commands
