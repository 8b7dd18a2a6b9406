#include "bot/runtime.hpp"

#include "adapters/http_client.hpp"
#include "bot/app.hpp"
#include "bot/slack/web_api.hpp"
#include "core/thread_pool.hpp"

#include <spdlog/spdlog.h>

#include <iostream>

namespace opsbot::bot {

struct runtime::parts {
    parts(const stack_config& config, slack_tokens tokens, runtime_options options)
        : http(adapters::make_http_client(http_options(options))),
          slack(*http, config.slack.api_url, tokens.bot_token, tokens.app_token),
          workers(options.worker_threads),
          behaviour(config, slack, workers),
          client(options.socket, hooks()) {}

    static adapters::http_options http_options(const runtime_options& options) {
        adapters::http_options out;
        out.verify_tls = options.verify_tls;
        return out;
    }

    socket_mode_hooks hooks() {
        socket_mode_hooks h;
        h.open_connection = [this] { return slack.open_connection(); };
        h.ack_payload = [this](const envelope& env) { return behaviour.ack_payload(env); };
        h.on_envelope = [this](envelope env) { behaviour.on_envelope(std::move(env)); };
        return h;
    }

    std::unique_ptr<adapters::http_client> http;
    web_api slack;
    thread_pool workers;
    app behaviour;
    socket_mode_client client;
};

runtime::runtime(const stack_config& config, slack_tokens tokens, runtime_options options)
    : parts_(std::make_unique<parts>(config, std::move(tokens), options)) {}

runtime::~runtime() = default;

int runtime::run() {
    socket_mode_exit exit = parts_->client.run();
    // Replies already being worked on are finished before the process goes.
    parts_->workers.shutdown();
    switch (exit) {
        case socket_mode_exit::stopped:
            spdlog::info("stopped cleanly");
            return 0;
        case socket_mode_exit::link_disabled:
        case socket_mode_exit::auth_failed:
            spdlog::critical("{}", parts_->client.fatal_reason());
            std::cerr << "opsbot: " << parts_->client.fatal_reason() << "\n";
            return static_cast<int>(exit);
    }
    return 1;
}

void runtime::stop() { parts_->client.stop(); }

bool runtime::wait_ready(std::chrono::milliseconds timeout) { return parts_->client.wait_ready(timeout); }

const socket_mode_client& runtime::client() const { return parts_->client; }

std::optional<slack_tokens> tokens_from_env(const stack_config& config) {
    auto app_token = process_env(config.slack.app_token_env);
    auto bot_token = process_env(config.slack.bot_token_env);
    if (!app_token || app_token->empty()) {
        std::cerr << "opsbot: slack.app_token_env: " << config.slack.app_token_env
                  << " is not set (the app-level xapp- token with connections:write)\n";
        return std::nullopt;
    }
    if (!bot_token || bot_token->empty()) {
        std::cerr << "opsbot: slack.bot_token_env: " << config.slack.bot_token_env
                  << " is not set (the bot xoxb- token)\n";
        return std::nullopt;
    }
    return slack_tokens{*app_token, *bot_token};
}

}  // namespace opsbot::bot
