#pragma once
// The whole bot in-process (bot::runtime, production code) against the fake Slack and fake platform APIs over
// loopback sockets, with its database in a temporary SQLite file. For the approval/rollback integration tests.

#include "core/clock.hpp"
#include "commands/plan/platform_registry.hpp"
#include "config/config.hpp"
#include "sim/slack_simulator.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/fake_health.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/fake_vercel.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace opsbot::storage {
class database;
}

namespace opsbot::bot {
class runtime;
}
namespace opsbot::commands {
class family_set;
}

namespace opsbot::testing {

inline constexpr const char* ops_channel = "C0OPS";
inline constexpr const char* incident_channel = "C0INC";
/// slack.audit_channel of the harness: the audit head (posted at start and daily) stays out of the incident channel.
inline constexpr const char* audit_channel = "C0AUDIT";
inline constexpr const char* requester = "U01";      ///< deployer
inline constexpr const char* approver_a = "U02";     ///< deployer + approver
inline constexpr const char* approver_b = "U03";     ///< deployer + approver
inline constexpr const char* approver_c = "U05";     ///< approver only
inline constexpr const char* non_approver = "U04";   ///< deployer, not an approver

// Seeded platform state: a rollback of web goes dpl_Live3 -> dpl_Prev2, of api rw-live-4 -> rw-prev-2.
inline constexpr const char* vercel_live = "dpl_Live3";
inline constexpr const char* vercel_target = "dpl_Prev2";
inline constexpr const char* railway_live = "rw-live-4";
inline constexpr const char* railway_target = "rw-prev-2";

struct harness_options {
    int approvals = 1;
    std::chrono::seconds expires_after{std::chrono::minutes{15}};
    bool manual_time = false;      ///< the bot runs on harness.clock() (a manual_clock) instead of the system clock
    int railway_deploy_polls = 3;  ///< polls until a rollback deployment settles
    std::chrono::seconds expiry_sweep_interval{30};
    /// Real-time period of the post-deploy watch ticker; tests drive watches with tick_watches() instead.
    std::chrono::milliseconds watch_tick_interval{std::chrono::minutes{10}};
    /// Last changes to the stack description before the bot starts (extra sections: migrations, secrets, …).
    std::function<void(stack_config&)> configure;
    /// Last changes to the platform registry before the bot starts (e.g. secret providers for /rotate). Called
    /// again on restart().
    std::function<void(commands::platform_registry&)> platforms;
    /// The runtime's request and execution pools (bot/runtime.hpp); tests of starvation make them small.
    size_t request_threads = 4;
    size_t execution_threads = 4;
    /// The families the bot serves; null: bot/families.cpp's list. Must outlive the harness.
    const commands::family_set* families = nullptr;
};

/// One button on the newest version of a plan message.
struct plan_button {
    std::string channel;
    std::string message_ts;
    std::string action_id;  ///< approve | deny | cancel | stop
    std::string value;      ///< "A-1:<digest>"
};

/// The stack description the harness runs (also written as JSONC for the real binary by the restart test).
stack_config harness_config(const std::string& slack_api_url, const std::string& database, const fake_vercel* vercel,
                            const fake_railway* railway, const fake_health* health, const harness_options& options);

/// `/incident site-down` for the deployers, with a /health for web as well (both at the fake health URL): its plan
/// is vercel.rollback web, railway.rollback api, then web's and api's health checks — a step to hold, and one after.
void site_down_with_two_checks(stack_config& config);

/// Seeds the platforms with the deployments named above.
void seed_vercel(fake_vercel& vercel);
void seed_railway(fake_railway& railway);

/// Every text field of a recorded message (fallback text and block texts), joined by newlines.
std::string text_of(const sim::recorded_message& message);

/// The newest version (post or update) of the message of action `action` ("A-1") in `channel`.
std::optional<sim::recorded_message> plan_message(const sim::slack_simulator& slack, const std::string& action);

/// The `button` button of `action` on the newest version of its message; nullopt once it lost its buttons.
std::optional<plan_button> find_button(const sim::slack_simulator& slack, const std::string& action,
                                       const std::string& button);

/// Messages of one kind ("" = any) in one channel ("" = any).
std::vector<sim::recorded_message> messages_in(const sim::slack_simulator& slack, const std::string& channel,
                                               const std::string& kind = {});


/// Reads of the bot's SQLite file through the storage layer (a separate connection).
/// The bot's database read-only: an SQLite path, or a PostgreSQL URL (postgresql://…); throws when it cannot.
std::unique_ptr<storage::database> open_read_only(const std::string& where);
/// These read an SQLite path or a PostgreSQL URL alike (open_read_only).
std::string action_state_in(const std::string& db_path, const std::string& action);
std::vector<std::string> audit_events_in(const std::string& db_path, const std::string& action);
bool audit_chain_ok(const std::string& db_path);
size_t active_lock_count(const std::string& db_path);

/// A temporary directory removed at destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class bot_harness {
public:
    explicit bot_harness(harness_options options = {});
    ~bot_harness();
    bot_harness(const bot_harness&) = delete;
    bot_harness& operator=(const bot_harness&) = delete;

    sim::slack_simulator& slack() { return slack_; }
    fake_vercel& vercel() { return vercel_; }
    fake_railway& railway() { return railway_; }
    fake_health& health() { return health_; }
    manual_clock& clock() { return clock_; }
    const std::string& db_path() const { return db_path_; }

    /// `user` runs `/command text` in `channel` (default the ops channel); returns once the bot settled.
    std::string command(const std::string& user, const std::string& command, const std::string& text,
                        const std::string& channel = ops_channel);
    /// `user` clicks `button` of `action`; returns once the bot settled. Fails the test when no such button shows.
    std::string click(const std::string& user, const std::string& action, const std::string& button);
    /// Sends a click on a button found earlier without waiting (races); call settle() afterwards.
    std::string click_now(const std::string& user, const plan_button& button);
    /// Waits until every envelope sent so far was handled and the bot's workers are idle.
    void settle();
    /// Stops the bot, runs `while_down` (e.g. moves the clock), and starts a new runtime on the same database.
    void restart(const std::function<void()>& while_down = {});
    /// One tick of the post-deploy watches on this thread (after advancing clock()).
    void tick_watches();
    /// One tick of the audit head's daily post on this thread (after advancing clock()).
    void tick_audit_head();
    /// The port of the operators' endpoint (when the configure hook set `http`).
    std::optional<uint16_t> ops_http_port() const;
    /// Counts an envelope sent directly through slack() (e.g. a replay the bot ignores does not count).
    void count_sent() { ++sent_; }

    std::optional<plan_button> button(const std::string& action, const std::string& which) const {
        return find_button(slack_, action, which);
    }
    std::optional<sim::recorded_message> message_of(const std::string& action) const {
        return plan_message(slack_, action);
    }
    std::vector<sim::recorded_message> ephemerals_for(const std::string& user) const;

    std::string state_of(const std::string& action) const { return action_state_in(db_path_, action); }
    std::vector<std::string> audit_events(const std::string& action) const { return audit_events_in(db_path_, action); }
    bool audit_ok() const { return audit_chain_ok(db_path_); }
    size_t active_locks() const { return active_lock_count(db_path_); }

    /// POST /v9/projects/{id}/rollback/… and /v10/…/promote/… calls the fake Vercel saw.
    size_t vercel_mutations() const;
    size_t railway_rollbacks() const { return railway_.count_operation("deploymentRollback"); }

private:
    void launch();

    harness_options options_;
    temp_dir dir_;
    std::string db_path_;
    manual_clock clock_;
    sim::slack_simulator slack_;
    fake_vercel vercel_;
    fake_railway railway_;
    fake_health health_;
    stack_config config_;
    std::unique_ptr<bot::runtime> bot_;
    std::thread serving_;
    uint64_t sent_ = 0;
};

}  // namespace opsbot::testing
