#pragma once

#include "bot/slack/socket_mode_client.hpp"
#include "commands/plan/platform_registry.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace opsbot::commands {
class family_set;
}

namespace opsbot::bot {

struct slack_tokens {
    std::string app_token;  ///< xapp-…: apps.connections.open
    std::string bot_token;  ///< xoxb-…: chat.* calls
};

struct runtime_options {
    socket_mode_options socket;
    /// The three bounded pools (docs/design.md "Runtime model"); each starts threads only as work needs them.
    /// Answers, plan building and clicks: never queued behind an execution.
    size_t request_threads = 16;
    /// Approved actions running (and break-glass runs): a long execution never holds up an answer.
    size_t execution_threads = 16;
    /// Concurrent platform calls of the commands (commands/plan/concurrent_call.hpp), each bounded by the HTTP
    /// client's deadline; joined at shutdown, before the adapters go.
    size_t call_threads = 32;
    bool verify_tls = true;
    /// Waits between polls of a running step; tests and the demo shorten it.
    std::chrono::milliseconds poll_interval{2000};
    std::chrono::seconds expiry_sweep_interval{30};
    /// How often (real time) the ticker asks the post-deploy watches whether a check is due, and the audit head
    /// whether its daily post is; both are scheduled on `clk`.
    std::chrono::milliseconds watch_tick_interval{std::chrono::seconds{15}};
    const clock* clk = nullptr;  ///< default: the system clock
    /// Paces the polls of steps waiting for a platform (bot/actions/platform_poll.cpp); default: the system clock.
    /// The poll timer looks for due polls every poll_interval of real time.
    const clock* poll_clk = nullptr;
    /// The families served; default: bot/families.cpp's list (tests of the executor pass their own step kinds).
    const commands::family_set* families = nullptr;
};

/// The whole running bot: Web API client, worker pools, the bot's database, platform adapters, the
/// action flow, the app, and the Socket Mode client. `opsbot run` and `opsbot demo` both use it, so the
/// demo runs the production code path.
class runtime {
public:
    runtime(const stack_config& config, slack_tokens tokens, commands::platform_registry platforms,
            runtime_options options = {});
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// Reports actions a previous run left running, then serves until stop() or a fatal condition.
    /// Returns the process exit code (0 stopped cleanly, 2 Socket Mode disabled for the app, 3 Slack
    /// refused the tokens).
    int run();
    /// Thread-safe; may be called before run(). Begins the graceful shutdown (issue 15 item 4): the link closes once
    /// the acks in flight are written, the steps running get `shutdown_grace` to finish, then run() returns.
    void stop();
    /// True when run() returned with the shutdown grace over and steps still running on workers: their actions are
    /// recorded interrupted and reported, but the workers cannot be joined, so destroying this runtime would wait for
    /// them. `opsbot run` then leaves the process at once (bot/cli.cpp).
    bool left_work_running() const;
    bool wait_ready(std::chrono::milliseconds timeout);
    /// Waits until `count` envelopes were handed on, the request and execution pools are idle and no step waits for a
    /// platform (demo, tests).
    bool wait_settled(uint64_t count, std::chrono::milliseconds timeout);
    /// Runs one tick of the post-deploy watches now, on the caller's thread (tests, after moving a manual clock).
    void tick_watches();
    /// Posts the audit head now if its daily post is due by the injected clock, on the caller's thread (tests).
    void tick_audit_head();
    const socket_mode_client& client() const;
    /// The port of the operators' endpoint once run() started it (http.listen; port 0 picks one); nullopt before,
    /// or without an http section.
    std::optional<uint16_t> ops_http_port() const;
    commands::platform_registry& platforms();

private:
    struct parts;
    std::unique_ptr<parts> parts_;
};

/// Reads the two tokens from the environment variables the config names; nullopt (and a message on
/// stderr naming the variable) when one is missing.
std::optional<slack_tokens> tokens_from_env(const stack_config& config);

}  // namespace opsbot::bot
