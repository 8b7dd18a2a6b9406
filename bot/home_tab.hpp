#pragma once
// The Slack App Home tab (issue 15 item 5): published when a user opens it, and again for the users who opened it
// in the last hour whenever an action changes state.

#include "bot/home_view.hpp"
#include "bot/slack/web_api.hpp"
#include "commands/plan/platform_registry.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/thread_pool.hpp"
#include "storage/database.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::bot {

struct home_tab_deps {
    const stack_config& config;
    storage::database& db;
    const clock& clk;
    const commands::platform_registry& platforms;
    web_api& slack;
    /// The answer pool (runtime's `requests`): gathering and publishing run there, never on the I/O thread.
    thread_pool& pool;
    /// How long the production status waits for each platform and /health (as /deploy status: the view still goes
    /// out, saying which did not answer).
    std::chrono::milliseconds status_timeout{2000};
    /// Who opened Home this recently gets refreshes.
    std::chrono::minutes recent{60};
};

class home_tab {
public:
    explicit home_tab(home_tab_deps deps);

    /// `app_home_opened` with tab "home", on the I/O thread: remembers when `user` opened it and hands the publishing
    /// to the pool. Returns at once.
    void on_opened(const std::string& user);

    /// An action changed state (any thread): one refresh for the users who opened Home in the last hour is queued
    /// on the pool, unless one is queued already (changes in a burst make one refresh, which reads them all).
    void on_state_changed();

    /// What the Home tab shows now (blocking: reads the database and asks the platforms under status_timeout).
    home_snapshot snapshot();

private:
    /// Users who opened Home no longer ago than deps_.recent, by the injected clock; forgets the older ones.
    std::vector<std::string> recent_openers();
    /// Builds each user's view from one snapshot and publishes it, unless a newer snapshot reached that user first.
    void publish(const std::vector<std::string>& users, const home_snapshot& shot, std::uint64_t generation);

    home_tab_deps deps_;
    // Who opened Home when. In memory only: after a restart nobody gets refreshes until they open Home again, which
    // costs a stale tab at worst (Slack shows the last published view) and never a wrong action.
    std::mutex openers_mutex_;  ///< held for map operations only, never across I/O
    std::map<std::string, clock::time_point> openers_;
    std::map<std::string, std::uint64_t> published_;  ///< user -> generation of the view last published (same mutex)
    std::atomic<bool> refresh_queued_{false};
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace opsbot::bot
