#include "commands/deploy/status.hpp"

#include "adapters/postgres_url.hpp"
#include "adapters/sentry.hpp"
#include "commands/deploy/checklist.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "commands/grammar/format.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "storage/lock_store.hpp"
#include "storage/watch_store.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <map>
#include <vector>

namespace opsbot::commands {
namespace {

/// A call's outcome once its deadline passed: its value, or nullopt when it had not answered.
template <class T>
std::optional<T> collect(std::future<T>& future, clock::time_point deadline, std::string_view what) {
    const auto steady_deadline = std::chrono::steady_clock::now() + (deadline - std::chrono::system_clock::now());
    auto answer = await(future, steady_deadline);
    if (!answer) {
        spdlog::warn("{} did not answer in time; shown as such", what);
    }
    return answer;
}

std::string seconds_text(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0) {
        return fmt::format("{} s", ms.count() / 1000);
    }
    return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

std::string deployment_line(const live_deployment& live) {
    return fmt::format("`{}` · commit `{}` · {} · {}", escape_mrkdwn(live.id), escape_mrkdwn(short_sha(live.commit)),
                       live.age, escape_mrkdwn(live.state));
}

std::string health_line(const result<adapters::health_report>& report) {
    if (!report) {
        return fmt::format("{} /health: {}", mark_symbol(check_mark::fail), escape_mrkdwn(report.error().message));
    }
    const auto& h = *report;
    auto or_na = [](const std::string& v) { return v.empty() ? std::string("n/a") : v; };
    return fmt::format("{} /health: status {}, db {}, redis {}{}", mark_symbol(h.ok ? check_mark::ok : check_mark::fail),
                       escape_mrkdwn(or_na(h.status)), escape_mrkdwn(or_na(h.db)), escape_mrkdwn(or_na(h.redis)),
                       h.ok ? "" : " — " + escape_mrkdwn(h.reason));
}

std::string migrations_line(const std::optional<result<adapters::prisma_status>>& status,
                            std::chrono::milliseconds waited) {
    const std::string prefix = "*Migrations* (production): ";
    if (!status) {
        return prefix + std::string(mark_symbol(check_mark::warn)) + " " + no_answer_text("The database", waited);
    }
    if (!*status) {
        if (status->error().kind == error_kind::unavailable) {
            return prefix + std::string(mark_symbol(check_mark::warn)) +
                   " migration status needs `migrations` configured";
        }
        return prefix + std::string(mark_symbol(check_mark::fail)) + " " + escape_mrkdwn(status->error().message);
    }
    const auto& s = **status;
    if (!s.managed) {
        return prefix + std::string(mark_symbol(check_mark::warn)) + " not managed by Prisma Migrate";
    }
    if (!s.failed.empty()) {
        return prefix + fmt::format("{} {} failed: {}", mark_symbol(check_mark::fail), s.failed.size(),
                                    code_span(fmt::format("{}", fmt::join(s.failed, ", ")), 200));
    }
    if (!s.pending.empty()) {
        return prefix + fmt::format("{} {} pending: {}", mark_symbol(check_mark::warn), s.pending.size(),
                                    code_span(fmt::format("{}", fmt::join(s.pending, ", ")), 200));
    }
    return prefix + fmt::format("{} up to date ({} applied)", mark_symbol(check_mark::ok), s.applied.size());
}

std::string locks_section(const command_context& context) {
    if (context.db == nullptr) {
        return "*Locks*: unknown (no database)";
    }
    storage::lock_store locks(*context.db, context.clk);
    auto active = locks.list_active();
    if (!active) {
        spdlog::error("deploy status: could not read locks: {}", active.error().message);
        return "*Locks*: " + std::string(mark_symbol(check_mark::fail)) + " " + escape_mrkdwn(active.error().message);
    }
    if (active->empty()) {
        return "*Locks*: none";
    }
    std::string out = "*Locks*:";
    for (const auto& lock : *active) {
        out += fmt::format("\n• :lock: `{}` {} held by {} until {}: {}", escape_mrkdwn(lock.service),
                           escape_mrkdwn(lock.environment), code_span(lock.owner, 40), iso8601(lock.expires_at),
                           escape_mrkdwn(lock.reason));
    }
    return out;
}

/// Post-deploy watches still running (issue #7): which action, minutes left. Empty when there are none.
std::string watches_section(const command_context& context) {
    if (context.db == nullptr) {
        return "";
    }
    storage::watch_store watches(*context.db, context.clk);
    auto active = watches.active();
    if (!active) {
        spdlog::error("deploy status: could not read watches: {}", active.error().message);
        return "\n*Post-deploy watches*: " + std::string(mark_symbol(check_mark::fail)) + " " +
               escape_mrkdwn(active.error().message);
    }
    if (active->empty()) {
        return "";
    }
    std::string out = "\n*Post-deploy watches* (Sentry, BetterStack):";
    const auto now = context.clk.now();
    for (const auto& w : *active) {
        auto left = std::chrono::ceil<std::chrono::minutes>(w.ends_at - now).count();
        out += fmt::format("\n• :eyes: {} {} · {} min left · {} check(s) so far", escape_mrkdwn(w.action.str()),
                           escape_mrkdwn(w.title), std::max<long long>(left, 0), w.checks);
    }
    return out;
}

}  // namespace

std::string no_answer_text(std::string_view system, std::chrono::milliseconds waited) {
    return fmt::format("{} did not answer within {}", system, seconds_text(waited));
}

result<live_deployment> fetch_live(const service_config& service, const platform_registry& platforms,
                                   const std::string& environment, const clock& clk) {
    // Whatever the platform: the one deploy_platform interface answers (adapters/deploy_platform.hpp).
    auto* platform = platforms.deploy_of(service.name);
    if (platform == nullptr) {
        return fail(error_kind::unavailable, fmt::format("no {} adapter for {} (token not set?)",
                                                         display_name(service.platform), service.name));
    }
    auto current = platform->live(environment);
    if (!current) {
        return std::unexpected(current.error());
    }
    live_deployment live;
    live.service = service.name;
    live.platform = std::string(display_name(platform->kind()));
    live.id = current->id;
    live.commit = current->commit_sha;
    live.state = current->status;
    live.created = current->created.value_or(clock::time_point{});
    live.age = age_of(current->created, clk);
    return live;
}

result<adapters::prisma_status> fetch_migrations(const platform_registry& platforms, const std::string& environment) {
    if (!platforms.database || platforms.database->migrations.workdir.empty()) {
        return fail(error_kind::unavailable, "migration status needs `migrations` configured");
    }
    const auto& tools = *platforms.database;
    auto url = adapters::database_url_for(tools.databases, environment, tools.env);
    if (!url) {
        return std::unexpected(url.error());
    }
    return adapters::read_prisma_status(*url, tools.migrations.workdir);
}

reply deploy_status_reply(const parsed_command&, const command_context& context, const deploy_timeouts& timeouts) {
    const auto deadline = std::chrono::system_clock::now() + timeouts.status;
    const auto& platforms = context.platforms;
    const clock& clk = context.clk;
    struct service_calls {
        const service_config* service;
        std::future<result<live_deployment>> live;
        std::optional<std::future<result<adapters::health_report>>> health;
    };
    // Start everything first, then collect: the platforms answer concurrently.
    std::vector<service_calls> pending;
    for (const auto& [name, service] : context.config.services) {
        service_calls c{&service, start_call([&service, &platforms, &clk] {
                            return fetch_live(service, platforms, "production", clk);
                        }),
                        std::nullopt};
        auto url = service.health_url.find("production");
        if (url != service.health_url.end() && platforms.health) {
            c.health = start_call([checker = platforms.health.get(), u = url->second, t = timeouts.status] {
                return checker->check(u, t);
            });
        }
        pending.push_back(std::move(c));
    }
    auto migrations = start_call([&platforms] { return fetch_migrations(platforms, "production"); });

    std::string text = "*Production status*";
    for (auto& c : pending) {
        const auto& service = *c.service;
        const std::string platform(display_name(service.platform));
        text += fmt::format("\n*{}* ({}): ", escape_mrkdwn(service.name), escape_mrkdwn(platform));
        auto live = collect(c.live, deadline, platform + " for " + service.name);
        if (!live) {
            text += fmt::format("{} {}", mark_symbol(check_mark::warn), no_answer_text(platform, timeouts.status));
        } else if (!*live) {
            text += fmt::format("{} {}", mark_symbol(check_mark::fail), escape_mrkdwn(live->error().message));
        } else {
            text += deployment_line(**live);
        }
        if (c.health) {
            auto health = collect(*c.health, deadline, "/health of " + service.name);
            text += "\n    ";
            text += health ? health_line(*health)
                           : fmt::format("{} /health: {}", mark_symbol(check_mark::warn),
                                         no_answer_text("/health", timeouts.status));
        }
    }
    text += "\n" + migrations_line(collect(migrations, deadline, "the migration status"), timeouts.status);
    text += "\n" + locks_section(context);
    text += watches_section(context);
    if (!platforms.label.empty()) {
        text += "\n_" + escape_mrkdwn(platforms.label) + "_";
    }
    return reply{text, false, false};
}

reply deploy_status_reply(const parsed_command& command, const command_context& context) {
    return deploy_status_reply(command, context, deploy_timeouts{});
}

}  // namespace opsbot::commands
