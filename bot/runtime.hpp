#pragma once

#include "bot/slack/socket_mode_client.hpp"
#include "core/config.hpp"

#include <memory>
#include <string>

namespace opsbot::bot {

struct slack_tokens {
    std::string app_token;  ///< xapp-…: apps.connections.open
    std::string bot_token;  ///< xoxb-…: chat.* calls
};

struct runtime_options {
    socket_mode_options socket;
    size_t worker_threads = 4;
    bool verify_tls = true;
};

/// The whole running bot: HTTP client, Web API client, worker pool, app, Socket Mode client.
/// `opsbot run` and `opsbot demo` both use it, so the demo runs the production code path.
class runtime {
public:
    runtime(const stack_config& config, slack_tokens tokens, runtime_options options = {});
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// Serves until stop() or a fatal condition; returns the process exit code
    /// (0 stopped cleanly, 2 Socket Mode disabled for the app, 3 Slack refused the tokens).
    int run();
    /// Thread-safe.
    void stop();
    bool wait_ready(std::chrono::milliseconds timeout);
    const socket_mode_client& client() const;

private:
    struct parts;
    std::unique_ptr<parts> parts_;
};

/// Reads the two tokens from the environment variables the config names; nullopt (and a message on
/// stderr naming the variable) when one is missing.
std::optional<slack_tokens> tokens_from_env(const stack_config& config);

}  // namespace opsbot::bot
