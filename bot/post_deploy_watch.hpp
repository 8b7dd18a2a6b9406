#pragma once

#include "bot/incident_notifier.hpp"
#include "bot/slack/web_api.hpp"
#include "commands/plan/plan.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "storage/action_store.hpp"
#include "storage/database.hpp"
#include "storage/watch_store.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::bot {

/// How often a watch looks at Sentry and BetterStack, in the injected clock's time.
inline constexpr std::chrono::minutes watch_check_every{1};

/// What one look at the monitoring found.
struct watch_findings {
    std::vector<adapters::sentry_issue> new_issues;
    bool issues_truncated = false;
    std::vector<std::string> monitors_down;  ///< monitor names
    std::vector<std::string> errors;          ///< Sentry / BetterStack could not be read
};

/// The post-deploy watch (runbook §7 "the first 15 minutes", issue #7): after a deploy, rollback, rotation or
/// site-down recovery succeeded, Sentry (new issues since the action finished) and BetterStack (the monitors of the
/// affected services) are checked every minute for monitoring.watch_minutes. The first time new issues reach
/// monitoring.watch_new_issues_threshold or a monitor is down, one incident post names the action, what was found
/// and the runbook §8 next step ("watch.fired"); the watch closes only once that post succeeded, so a post Slack
/// refused is retried at the next check. A watch that stays quiet ends silently ("watch.quiet"), unless it was
/// blind: when the closing check (at or after the window's end) could not read Sentry or BetterStack, one warning
/// names what could not be checked and why and asks for a check by hand ("watch.blind"). The closing check is
/// the one that counts because it covers the whole window: Sentry is asked for every issue first seen since the
/// action finished and BetterStack for the monitors' state now; so all-checks-failed is blind, and an earlier
/// failure that the closing check made up for is not. Watches
/// are rows (storage/watch_store), so they survive a restart. Time comes from the injected clock: tick() is driven
/// by the runtime's ticker or, in tests, called after moving a manual clock. Thread-safe: ticks are serialized.
class post_deploy_watch {
public:
    post_deploy_watch(const stack_config& config, storage::database& db, const clock& clk,
                      const commands::platform_registry& platforms, web_api& slack);

    /// Starts a watch of an action of a watched family that just succeeded, when Sentry or BetterStack is
    /// connected. Failures are logged, never thrown: the action itself already succeeded.
    void start(const storage::action_record& action, const commands::plan& plan);

    /// Checks every watch whose next check is due; closes those that fired or whose window ended.
    void tick();

    /// Start-up: watches a previous run left are resumed; one whose window passed while the bot was down is
    /// checked once now and closed.
    void resume_at_startup();

private:
    void check(const storage::watch_record& watch, clock::time_point now);
    watch_findings look(const storage::watch_record& watch);
    /// Posts a fired watch to the incident channel; false when Slack refused it (logged).
    bool report(const storage::watch_record& watch, const watch_findings& found, clock::time_point now);
    /// Posts that the watch could not see; false when Slack refused it (logged).
    bool report_blind(const storage::watch_record& watch, const watch_findings& found);

    const stack_config& config_;
    const clock& clk_;
    const commands::platform_registry& platforms_;
    storage::watch_store watches_;
    incident_notifier incidents_;
    std::mutex tick_mutex_;
};

/// The one call action_flow::execute makes when an action of a watched family succeeded (run_hooks::
/// watched_after_success; `watch` may be null: no watcher).
void start_watch_after(post_deploy_watch* watch, const storage::action_record& action, const commands::plan& plan);

/// "api.example.test:443"-style hosts of the URLs that monitors of `service` (all services when empty or unknown)
/// in `environment` watch: its /health URL and, for a Vercel web app in production, its public URL.
std::vector<std::string> watched_authorities(const stack_config& config, const std::string& service,
                                             const std::string& environment);

}  // namespace opsbot::bot
