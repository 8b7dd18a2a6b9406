#pragma once

#include "config/config.hpp"

#include <spdlog/common.h>
#include <spdlog/sinks/sink.h>

#include <memory>

namespace opsbot::bot {

/// Registers the value of every secret environment variable `config` names in global_redactor() (label = the
/// variable's name) and installs a default spdlog logger writing to stderr through a redacting sink.
/// `config` may be null (commands that run before a config is loaded). Call once at start-up.
void init_logging(const stack_config* config, spdlog::level::level_enum level, env_lookup env = process_env);

/// Registers the values of the secret environment variables `config` names in global_redactor().
void register_config_secrets(const stack_config& config, env_lookup env = process_env);

/// A sink that passes each message through global_redactor().redact() before handing it to `inner`.
/// Thread-safe when `inner` is (use the *_mt sinks).
std::shared_ptr<spdlog::sinks::sink> make_redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner);

}  // namespace opsbot::bot
