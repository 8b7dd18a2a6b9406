#include "bot/cli.hpp"

#include "adapters/postgres_backup.hpp"
#include "bot/audit_command.hpp"
#include "bot/check_config_command.hpp"
#include "bot/families.hpp"
#include "bot/logging.hpp"
#include "bot/migrate_state_command.hpp"
#include "bot/platform_factory.hpp"
#include "bot/runtime.hpp"
#include "bot/signals.hpp"
#include "bot/version.hpp"
#include "commands/grammar/manifest.hpp"
#include "config/config.hpp"
#include "metrics/opsbot_metrics.hpp"
#include "storage/audit_anchor.hpp"
#include "storage/instance_lock.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <expected>
#include <initializer_list>
#include <iostream>
#include <map>
#include <optional>

namespace opsbot::bot {
namespace {

constexpr std::string_view usage = R"(usage:
  opsbot run --config FILE [--log-format text|json]
                                    connect to Slack and serve (Ctrl-C / SIGTERM: finish acks, let running
                                    steps finish for shutdown_grace seconds, report the rest interrupted, exit 0;
                                    a second signal exits at once with 128 + the signal, e.g. 143);
                                    json: one JSON object per log line, for log shippers
                                    exits 0 on a signal, 1 bad config or environment, 2 Socket Mode disabled,
                                    3 tokens refused, 4 another instance runs on this database
  opsbot demo                       built-in Slack simulator + sandbox platforms; type commands as users
  opsbot check-config --config FILE validate the stack description and the environment it names
  opsbot manifest --config FILE     print the Slack app manifest (JSON)
  opsbot audit verify --db FILE | --config FILE [--head SEQ:HASH]
                                    check the audit hash chain; exit 1 and name the first bad entry; with
                                    --head (a head the bot posted: its full hash, or its first 12+ hex digits),
                                    also that the log still holds that entry, with nothing missing before it
  opsbot audit export --db FILE | --config FILE [--since ISO8601]   audit entries as JSON lines
  opsbot migrate-state --from FILE --config FILE
                                    copy the bot's state from its SQLite file into the database the config names
                                    (PostgreSQL, for replicas): ids and the audit chain intact, verified on both
                                    sides; the target must be empty, the file is only read
  opsbot version                    version, git commit, build type, library versions
  opsbot help | --help | -h         this text (also `opsbot COMMAND --help`)
)";

/// `--name VALUE` / `--name=VALUE` pairs after a command's words, by name. Anything else — a flag the command
/// does not take, one without a value, one given twice, a stray word — is an error naming it.
std::expected<std::map<std::string, std::string>, std::string> read_flags(
    const std::vector<std::string>& args, std::size_t first, std::initializer_list<std::string_view> known) {
    std::map<std::string, std::string> out;
    for (std::size_t i = first; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!arg.starts_with("--")) {
            return std::unexpected("unexpected argument `" + arg + "`");
        }
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            return std::unexpected("unknown flag `" + name + "`");
        }
        std::string value;
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return std::unexpected(name + " needs a value");
        }
        if (!out.emplace(name, value).second) {
            return std::unexpected(name + " is given twice");
        }
    }
    return out;
}

std::optional<std::string> flag(const std::map<std::string, std::string>& flags, const std::string& name) {
    auto it = flags.find(name);
    return it == flags.end() ? std::nullopt : std::optional<std::string>(it->second);
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

int run_bot(const std::string& config_path, log_format format) {
    auto config = load_valid_config(config_path);
    if (!config) {
        return 1;
    }
    // Before anything touches Slack or the database: one instance per SQLite database (docs/design.md "Runtime model").
    // Not on PostgreSQL: there replicas share the one database by design (issue 14), and a lock file beside nothing
    // would guard nothing.
    system_clock clk;
    std::optional<storage::instance_lock> instance;
    if (!config->database_on_postgres()) {
        auto acquired = storage::instance_lock::acquire(config->database, clk);
        if (!acquired) {
            std::cerr << "opsbot: " << acquired.error().message << "\n";
            return acquired.error().kind == error_kind::conflict ? 4 : 1;
        }
        instance.emplace(std::move(*acquired));
    }
    init_logging(&*config, spdlog::level::info, process_env, format);
    const auto build = this_build();
    metrics::set_build_info(build.version, build.commit, build.build_type);
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
        // A second signal: the operator does not want to wait for the grace. Leave now, non-zero (128 + the signal,
        // as a shell reports a process a signal ended) since what was running is not recorded; the next start
        // reports it interrupted, as after a crash.
        if (stop_requested.exchange(true)) {
            spdlog::warn("signal {} received again: exiting at once, without waiting for running steps", sig);
            spdlog::default_logger()->flush();
            std::_Exit(128 + sig);
        }
        spdlog::info("signal {} received: finishing acks, closing the connection, letting running steps finish "
                     "for up to {} s (shutdown_grace)",
                     sig, config->shutdown_grace.count());
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
    if (bot->left_work_running()) {
        // The grace ran out: what the stuck workers run is already recorded interrupted and reported. Destroying the
        // runtime would join them, so the process leaves as it is (the database has committed everything).
        spdlog::info("stopped: the steps still running were reported interrupted");
        spdlog::default_logger()->flush();
        std::_Exit(code);
    }
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
    std::cout << commands::build_manifest_json(*loaded.config, opsbot_families().specs());
    return 0;
}

int run_audit(const std::vector<std::string>& args) {
    if (args.size() < 2 || (args[1] != "verify" && args[1] != "export")) {
        return usage_error(args.size() < 2 ? "audit needs `verify` or `export`"
                                           : "unknown audit subcommand `" + args[1] + "`");
    }
    const bool verify = args[1] == "verify";
    auto flags = verify ? read_flags(args, 2, {"--db", "--config", "--head"})
                        : read_flags(args, 2, {"--db", "--config", "--since"});
    if (!flags) {
        return usage_error("audit " + args[1] + ": " + flags.error());
    }
    auto db = flag(*flags, "--db");
    auto config_path = flag(*flags, "--config");
    if (db.has_value() == config_path.has_value()) {
        return usage_error("audit " + args[1] + " needs --db FILE or --config FILE (one of them)");
    }
    std::optional<storage::audit_anchor> head;
    if (auto text = flag(*flags, "--head")) {
        auto parsed = storage::parse_audit_anchor(*text);
        if (!parsed) {
            return usage_error(parsed.error().message);
        }
        head = *parsed;
    }
    if (config_path) {
        // The file the stack description names; its tokens need not be set to read the log.
        auto loaded = load_config_file(*config_path);
        if (!loaded.config) {
            for (const auto& p : loaded.problems) {
                std::cerr << p.path << ": " << p.message << "\n";
            }
            return 2;
        }
        // Its SQLite file or its PostgreSQL (the URL's variable must be set; its other problems do not matter here).
        if (!verify) {
            return run_audit_export(*loaded.config, flag(*flags, "--since"), std::cout);
        }
        return run_audit_verify(*loaded.config, head, std::cout);
    }
    if (!verify) {
        return run_audit_export(*db, flag(*flags, "--since"), std::cout);
    }
    return run_audit_verify(*db, head, std::cout);
}

}  // namespace

int run_cli(const std::vector<std::string>& args, demo_runner demo) {
    const auto is_help = [](const std::string& arg) { return arg == "--help" || arg == "-h"; };
    // Asking for help is not an error, wherever it is asked: `opsbot run --help` exits 0 like `opsbot --help`.
    if (args.empty() || args[0] == "help" || std::any_of(args.begin(), args.end(), is_help)) {
        std::cout << usage;
        return args.empty() ? 64 : 0;
    }
    const std::string& command = args[0];
    if (command == "version" || command == "--version") {
        if (args.size() > 1) {
            return usage_error("version takes no arguments (got `" + args[1] + "`)");
        }
        std::cout << version_report(this_build());
        return 0;
    }
    if (command == "demo") {
        if (args.size() > 1) {
            return usage_error("demo takes no arguments (got `" + args[1] + "`)");
        }
        if (demo == nullptr) {
            std::cerr << "opsbot: this build has no demo\n";
            return 1;
        }
        return demo(args);
    }
    if (command == "audit") {
        return run_audit(args);
    }
    if (command == "migrate-state") {
        auto flags = read_flags(args, 1, {"--from", "--config"});
        if (!flags) {
            return usage_error("migrate-state: " + flags.error());
        }
        auto from = flag(*flags, "--from");
        auto config_path = flag(*flags, "--config");
        if (!from || !config_path) {
            return usage_error("migrate-state needs --from FILE and --config FILE");
        }
        // As for `audit`: the stack description's tokens need not be set to move its state.
        auto loaded = load_config_file(*config_path);
        if (!loaded.config) {
            for (const auto& p : loaded.problems) {
                std::cerr << p.path << ": " << p.message << "\n";
            }
            return 2;
        }
        return run_migrate_state(*from, *loaded.config, std::cout, std::cerr);
    }
    if (command == "run" || command == "check-config" || command == "manifest") {
        auto flags = command == "run" ? read_flags(args, 1, {"--config", "--log-format"}) : read_flags(args, 1, {"--config"});
        if (!flags) {
            return usage_error(command + ": " + flags.error());
        }
        auto config = flag(*flags, "--config");
        if (!config) {
            return usage_error(command + " needs --config FILE");
        }
        if (command == "run") {
            const auto format = flag(*flags, "--log-format").value_or("text");
            if (format != "text" && format != "json") {
                return usage_error("run: --log-format is text or json (got `" + format + "`)");
            }
            return run_bot(*config, format == "json" ? log_format::json : log_format::text);
        }
        if (command == "check-config") {
            return run_check_config(*config, std::cout);
        }
        return run_manifest(*config);
    }
    return usage_error("unknown command `" + command + "`");
}

}  // namespace opsbot::bot
