#pragma once

#include "config/config.hpp"

#include <spdlog/common.h>
#include <spdlog/sinks/sink.h>

#include <memory>

namespace opsbot::bot {

/// How log lines are written: `text` for people, `json` for log shippers (`opsbot run --log-format json`): one
/// object per line with time, level, message, and envelope / action / family / step when the line is about one
/// (core/log_context.hpp). Both pass the same redactor.
enum class log_format { text, json };

/// Registers the value of every secret environment variable `config` names in global_redactor() (label = the
/// variable's name) and installs a default spdlog logger writing to stderr through a redacting sink.
/// `config` may be null (commands that run before a config is loaded). Call once at start-up.
void init_logging(const stack_config* config, spdlog::level::level_enum level, env_lookup env = process_env,
                  log_format format = log_format::text);

/// Registers the values of the secret environment variables `config` names in global_redactor().
void register_config_secrets(const stack_config& config, env_lookup env = process_env);

/// A sink that passes each message through global_redactor().redact() before handing it to `inner`.
/// Thread-safe when `inner` is (use the *_mt sinks).
std::shared_ptr<spdlog::sinks::sink> make_redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner);

/// The formatter of log_format::json: {"time":…,"level":…,"message":…[,"envelope","action","family","step"]}.
std::unique_ptr<spdlog::formatter> make_json_formatter();

}  // namespace opsbot::bot
