#include "bot/cli.hpp"

#include "adapters/postgres_backup.hpp"
#include "bot/audit_command.hpp"
#include "bot/check_config_command.hpp"
#include "bot/demo.hpp"
#include "bot/logging.hpp"
#include "bot/platform_factory.hpp"
#include "bot/runtime.hpp"
#include "bot/signals.hpp"
#include "commands/manifest.hpp"
#include "core/config.hpp"
#include "storage/instance_lock.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <optional>

namespace opsbot::bot {
namespace {

constexpr std::string_view usage = R"(usage:
  opsbot run --config FILE          connect to Slack and serve (Ctrl-C / SIGTERM: finish acks, stop cleanly)
                                    exits 0 on a signal, 1 bad config or environment, 2 Socket Mode disabled,
                                    3 tokens refused, 4 another instance runs on this database
  opsbot demo                       built-in Slack simulator + sandbox platforms; type commands as users
  opsbot check-config --config FILE validate the stack description and the environment it names
  opsbot manifest --config FILE     print the Slack app manifest (JSON)
  opsbot audit verify --db FILE     check the audit hash chain; exit 1 and name the first bad entry
  opsbot audit export --db FILE [--since ISO8601]   audit entries as JSON lines
)";

/// The value after `name` (e.g. --config FILE or --config=FILE).
std::optional<std::string> option(const std::vector<std::string>& args, std::string_view name) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == name && i + 1 < args.size()) {
            return args[i + 1];
        }
        if (args[i].size() > name.size() && args[i].starts_with(name) && args[i][name.size()] == '=') {
            return args[i].substr(name.size() + 1);
        }
    }
    return std::nullopt;
}

int usage_error(std::string_view message) {
    std::cerr << "opsbot: " << message << "\n" << usage;
    return 64;
}

/// Loads the config for commands that need a valid one; prints problems like check-config does.
std::optional<stack_config> load_valid_config(const std::string& path) {
    auto loaded = load_config_file(path);
    if (!loaded.config || !loaded.problems.empty()) {
        for (const auto& p : loaded.problems) {
            std::cerr << p.path << ": " << p.message << "\n";
        }
        std::cerr << "opsbot: " << path << " has problems; `opsbot check-config --config " << path
                  << "` explains them\n";
        return std::nullopt;
    }
    return loaded.config;
}

int run_bot(const std::string& config_path) {
    auto config = load_valid_config(config_path);
    if (!config) {
        return 1;
    }
    // Before anything touches Slack or the database: one instance per SQLite database (DESIGN.md "Runtime model").
    system_clock clk;
    auto instance = storage::instance_lock::acquire(config->database, clk);
    if (!instance) {
        std::cerr << "opsbot: " << instance.error().message << "\n";
        return instance.error().kind == error_kind::conflict ? 4 : 1;
    }
    init_logging(&*config, spdlog::level::info);
    if (config->migrations) {
        // Backups an older opsbot left readable by others are tightened now, not at the next backup.
        if (auto secured = adapters::secure_backup_dir(config->migrations->backup_dir); !secured) {
            std::cerr << "opsbot: migrations.backup_dir: " << secured.error().message << "\n";
            return 1;
        }
    }
    auto tokens = tokens_from_env(*config);
    if (!tokens) {
        return 1;
    }
    // The watcher must exist before any thread does (signals are blocked in the threads it precedes).
    std::atomic<runtime*> running{nullptr};
    std::atomic<bool> stop_requested{false};
    signal_watcher signals([&](int sig) {
        spdlog::info("signal {} received: finishing acks and closing the connection", sig);
        stop_requested = true;
        if (runtime* r = running.load()) {
            r->stop();
        }
    });
    std::optional<runtime> bot;
    bot.emplace(*config, *tokens, make_platform_registry(*config));
    running = &*bot;
    if (stop_requested) {
        return 0;
    }
    spdlog::info("opsbot starting: {} services, ops channel {}", config->services.size(), config->slack.ops_channel);
    int code = bot->run();
    running = nullptr;
    return code;
}

int run_manifest(const std::string& config_path) {
    auto loaded = load_config_file(config_path);
    if (!loaded.config) {
        for (const auto& p : loaded.problems) {
            std::cerr << p.path << ": " << p.message << "\n";
        }
        return 1;
    }
    // The manifest needs only the command set, so missing environment variables do not stop it.
    std::cout << commands::build_manifest_json(*loaded.config);
    return 0;
}

int run_audit(const std::vector<std::string>& args) {
    if (args.size() < 2) {
        return usage_error("audit needs `verify` or `export`");
    }
    auto db = option(args, "--db");
    if (!db) {
        return usage_error("audit " + args[1] + " needs --db FILE");
    }
    if (args[1] == "verify") {
        return run_audit_verify(*db, std::cout);
    }
    if (args[1] == "export") {
        return run_audit_export(*db, option(args, "--since"), std::cout);
    }
    return usage_error("unknown audit subcommand `" + args[1] + "`");
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage;
        return args.empty() ? 64 : 0;
    }
    const std::string& command = args[0];
    if (command == "demo") {
        return run_demo(args);
    }
    if (command == "audit") {
        return run_audit(args);
    }
    if (command == "run" || command == "check-config" || command == "manifest") {
        auto config = option(args, "--config");
        if (!config) {
            return usage_error(command + " needs --config FILE");
        }
        if (command == "run") {
            return run_bot(*config);
        }
        if (command == "check-config") {
            return run_check_config(*config, std::cout);
        }
        return run_manifest(*config);
    }
    return usage_error("unknown command `" + command + "`");
}

}  // namespace opsbot::bot
