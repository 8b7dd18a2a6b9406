#include "commands/deploy/check.hpp"

#include "adapters/sentry.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "commands/grammar/format.hpp"
#include "commands/database/migrate_plan.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "storage/audit_log.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace opsbot::commands {
namespace {

using names_result = result<std::set<std::string>>;

std::string platform_name(const service_config& service) {
    return std::string(display_name(service.platform));
}

void ci_line(checklist& list, const command_context& context, std::optional<result<adapters::ci_status>> ci,
             std::chrono::milliseconds waited) {
    const auto& github = context.config.monitoring.github;
    const std::string label = "CI on " + (github ? github->branch : std::string("main"));
    if (!github) {
        list.add(check_mark::warn, label, "needs `monitoring.github` configured");
    } else if (!context.platforms.github_ci) {
        list.add(check_mark::warn, label, "GitHub is not connected (is " + github->token_env + " set?)");
    } else if (!ci) {
        list.add(check_mark::warn, label, no_answer_text("GitHub", waited));
    } else if (!*ci) {
        list.add(check_mark::fail, label, "GitHub: " + ci->error().message);
    } else {
        const auto& s = **ci;
        const auto mark = s.verdict == adapters::ci_verdict::green     ? check_mark::ok
                          : s.verdict == adapters::ci_verdict::pending ? check_mark::warn
                                                                       : check_mark::fail;
        list.add(mark, label, fmt::format("{} ({} at {})", s.summary, to_string(s.verdict), short_sha(s.sha)));
    }
}

void staging_line(checklist& list, const command_context& context,
                  const std::vector<std::pair<std::string, std::optional<result<adapters::railway_deployment>>>>&
                      staging_deploys) {
    const std::string label = "Staging verified";
    auto verified = newest_audit_time(context.db, context.clk, "verify.succeeded", "staging");
    auto failed = newest_audit_time(context.db, context.clk, "verify.failed", "staging");
    std::optional<clock::time_point> deployed;
    std::string deployed_what;
    for (const auto& [service, latest] : staging_deploys) {
        if (!latest || !*latest) {
            continue;  // shown nowhere else; the verification time alone decides
        }
        if (auto t = adapters::parse_utc_iso8601((*latest)->created_at); t && (!deployed || *t > *deployed)) {
            deployed = *t;
            deployed_what = service + " " + (*latest)->id;
        }
    }
    if (!verified) {
        list.add(check_mark::fail, label, "no successful `/deploy verify staging` in the audit log");
    } else if (failed && *failed > *verified) {
        list.add(check_mark::fail, label, "the last `/deploy verify staging` failed (" + iso8601(*failed) + ")");
    } else if (deployed && *deployed > *verified) {
        list.add(check_mark::fail, label,
                 fmt::format("staging was deployed ({}, {}) after the last verification ({}): run "
                             "`/deploy verify staging`",
                             deployed_what, iso8601(*deployed), iso8601(*verified)));
    } else {
        list.add(check_mark::ok, label, "`/deploy verify staging` passed at " + iso8601(*verified) +
                                            (deployed ? ", after the last staging deploy" : ""));
    }
}

void migration_lines(checklist& list, const command_context& context,
                     std::optional<result<adapters::prisma_status>> production,
                     std::optional<result<adapters::prisma_status>> staging, std::chrono::milliseconds waited) {
    const std::string label = "Migrations";
    if (!production) {
        list.add(check_mark::warn, label, no_answer_text("The production database", waited));
        return;
    }
    if (!*production) {
        const bool missing = production->error().kind == error_kind::unavailable;
        list.add(check_mark::warn, label,
                 missing ? "migration status needs `migrations` configured" : production->error().message);
        return;
    }
    const auto& prod = **production;
    if (!prod.failed.empty()) {
        list.add(check_mark::fail, label, fmt::format("failed in production: {}", fmt::join(prod.failed, ", ")));
        return;
    }
    if (prod.pending.empty()) {
        list.add(check_mark::ok, label, "none pending in production; no backup needed");
        return;
    }
    std::vector<std::string> untested;
    if (staging && *staging) {
        std::set<std::string> applied((*staging)->applied.begin(), (*staging)->applied.end());
        for (const auto& name : prod.pending) {
            if (!applied.contains(name)) {
                untested.push_back(name);
            }
        }
    }
    if (!staging || !*staging) {
        list.add(check_mark::warn, label,
                 fmt::format("{} pending ({}); staging could not be read to confirm they were tested there",
                             prod.pending.size(), fmt::join(prod.pending, ", ")));
    } else if (!untested.empty()) {
        list.add(check_mark::fail, label,
                 fmt::format("{} pending, not yet applied on staging: {} (runbook §4: staging first)",
                             prod.pending.size(), fmt::join(untested, ", ")));
    } else {
        list.add(check_mark::ok, label,
                 fmt::format("{} pending ({}), already applied on staging", prod.pending.size(),
                             fmt::join(prod.pending, ", ")));
    }
    auto backup = latest_backup_file(context.db, context.clk, "production");
    if (backup) {
        list.add(check_mark::ok, "Backup", "taken: " + *backup);
    } else {
        list.add(check_mark::fail, "Backup", "migrations are pending and no production backup is recorded: run "
                                             "`/backup production` first (runbook §1, §4)");
    }
}

void env_line(checklist& list, const command_context& context,
              std::map<std::string, std::optional<names_result>>& names, std::chrono::milliseconds waited) {
    const std::string label = "Env vars";
    if (!context.platforms.env_names) {
        list.add(check_mark::warn, label, "variable names cannot be read from the platforms in this build");
        return;
    }
    std::vector<std::string> missing;
    std::vector<std::string> summary;
    std::vector<std::string> unknown;
    for (const auto& [service_name, got] : names) {
        const auto& service = context.config.services.at(service_name);
        if (!got) {
            unknown.push_back(no_answer_text(platform_name(service), waited) + " (" + service_name + ")");
            continue;
        }
        if (!*got) {
            unknown.push_back(service_name + ": " + got->error().message);
            continue;
        }
        summary.push_back(fmt::format("{} on {} ({})", (*got)->size(), service_name, platform_name(service)));
        for (const auto& [secret_name, secret] : context.config.secrets) {
            const bool wanted = std::find(secret.services.begin(), secret.services.end(), service_name) !=
                                secret.services.end();
            if (wanted && !(*got)->contains(secret_name)) {
                missing.push_back(secret_name + " on " + service_name + " (" + platform_name(service) + ")");
            }
        }
    }
    if (!missing.empty()) {
        list.add(check_mark::fail, label, fmt::format("missing: {}", fmt::join(missing, ", ")));
    } else if (!unknown.empty()) {
        list.add(check_mark::warn, label, fmt::format("{}", fmt::join(unknown, "; ")));
    } else {
        list.add(check_mark::ok, label,
                 fmt::format("every configured secret is set where it belongs (names: {})", fmt::join(summary, ", ")));
    }
}

void order_line(checklist& list, const std::string& head_sha,
                const std::map<std::string, std::optional<result<live_deployment>>>& live,
                const stack_config& config) {
    const std::string label = "Deploy order";
    if (head_sha.empty()) {
        list.add(check_mark::warn, label, "unknown: the CI head commit is not known");
        return;
    }
    std::vector<std::string> api_behind;
    std::vector<std::string> web_behind;
    for (const auto& [name, got] : live) {
        const bool behind = !got || !*got || (*got)->commit != head_sha;
        if (!behind) {
            continue;
        }
        (config.services.at(name).platform == platform_kind::railway ? api_behind : web_behind).push_back(name);
    }
    if (api_behind.empty() && web_behind.empty()) {
        list.add(check_mark::ok, label, "every service already runs " + short_sha(head_sha));
    } else if (!api_behind.empty() && !web_behind.empty()) {
        list.add(check_mark::warn, label,
                 fmt::format("{} and {} both change: deploy {} first if the API change breaks the current web build "
                             "or the web needs a new API endpoint (runbook §1)",
                             fmt::join(api_behind, ", "), fmt::join(web_behind, ", "), fmt::join(api_behind, ", ")));
    } else {
        list.add(check_mark::ok, label,
                 fmt::format("only {} changes", fmt::join(api_behind.empty() ? web_behind : api_behind, ", ")));
    }
}

}  // namespace

std::optional<clock::time_point> newest_audit_time(storage::database* db, const clock& clk, std::string_view event,
                                                   std::string_view environment) {
    if (db == nullptr) {
        return std::nullopt;
    }
    auto entry = storage::audit_log(*db, clk).newest_for_environment(event, environment);
    if (!entry) {
        spdlog::error("could not read the audit log: {}", entry.error().message);
        return std::nullopt;
    }
    if (!*entry) {
        return std::nullopt;
    }
    return adapters::parse_utc_iso8601((*entry)->time);
}

checklist deploy_checklist(const command_context& context, const deploy_timeouts& timeouts) {
    const auto deadline = std::chrono::steady_clock::now() + timeouts.checklist;
    const auto& platforms = context.platforms;
    const auto& config = context.config;
    const clock& clk = context.clk;
    const std::string branch = config.monitoring.github ? config.monitoring.github->branch : "main";

    std::optional<std::future<result<adapters::ci_status>>> ci;
    if (platforms.github_ci && config.monitoring.github) {
        ci = start_call([gh = platforms.github_ci.get(), branch] { return gh->branch_status(branch); });
    }
    std::map<std::string, std::future<result<live_deployment>>> live_calls;
    std::map<std::string, std::future<result<adapters::railway_deployment>>> staging_calls;
    std::map<std::string, std::future<names_result>> name_calls;
    for (const auto& [name, service] : config.services) {
        live_calls.emplace(name, start_call([&service, &platforms, &clk] {
                               return fetch_live(service, platforms, "production", clk);
                           }));
        auto* railway = platforms.railway_of(name);
        if (railway != nullptr && service.environments.contains("staging")) {
            staging_calls.emplace(name, start_call([railway] { return railway->latest_deployment("staging"); }));
        }
        if (platforms.env_names) {
            name_calls.emplace(name, start_call([&platforms, n = name] { return platforms.env_names(n, "production"); }));
        }
    }
    auto prod_migrations = start_call([&platforms] { return fetch_migrations(platforms, "production"); });
    auto staging_migrations = start_call([&platforms] { return fetch_migrations(platforms, "staging"); });

    checklist list;
    list.title = "Pre-deploy checklist (runbook §1)";
    std::optional<result<adapters::ci_status>> ci_answer;
    if (ci) {
        ci_answer = await(*ci, deadline);
    }
    ci_line(list, context, ci_answer, timeouts.checklist);

    std::vector<std::pair<std::string, std::optional<result<adapters::railway_deployment>>>> staging;
    for (auto& [name, call] : staging_calls) {
        staging.emplace_back(name, await(call, deadline));
    }
    staging_line(list, context, staging);
    migration_lines(list, context, await(prod_migrations, deadline), await(staging_migrations, deadline),
                    timeouts.checklist);
    std::map<std::string, std::optional<names_result>> names;
    for (auto& [name, call] : name_calls) {
        names.emplace(name, await(call, deadline));
    }
    env_line(list, context, names, timeouts.checklist);
    std::map<std::string, std::optional<result<live_deployment>>> live;
    for (auto& [name, call] : live_calls) {
        live.emplace(name, await(call, deadline));
    }
    order_line(list, ci_answer && *ci_answer ? (*ci_answer)->sha : std::string{}, live, config);
    return list;
}

reply deploy_check_reply(const parsed_command&, const command_context& context) {
    checklist list = deploy_checklist(context, deploy_timeouts{});
    std::string text = list.render();
    if (!context.platforms.label.empty()) {
        text += "\n_" + escape_mrkdwn(context.platforms.label) + "_";
    }
    return reply{text, false, list.worst() == check_mark::fail};
}

}  // namespace opsbot::commands
