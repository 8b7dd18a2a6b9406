#include "bot/check_config_command.hpp"

#include "core/redactor.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <system_error>
#include <unistd.h>

namespace opsbot::bot {
namespace {

std::string count(size_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// Why opsbot could not create or open its database at `database` (relative to the working directory, as `run`
/// opens it), or nothing. Checked here so an operator learns it before the service fails to start.
std::optional<std::string> database_folder_problem(const std::string& database) {
    namespace fs = std::filesystem;
    fs::path folder = fs::path(database).parent_path();
    if (folder.empty()) {
        folder = ".";
    }
    std::error_code ec;
    const auto status = fs::status(folder, ec);
    if (!fs::exists(status)) {
        return fmt::format("the folder {} does not exist (create it, writable by the user opsbot runs as)",
                           folder.string());
    }
    if (!fs::is_directory(status)) {
        return fmt::format("{} is not a folder", folder.string());
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
        return fmt::format("the folder {} is not writable by this user (opsbot creates the database, its -wal and "
                           "-shm files there)",
                           folder.string());
    }
    return std::nullopt;
}

}  // namespace

int run_check_config(const std::string& path, std::ostream& out, env_lookup env) {
    auto loaded = load_config_file(path, env);
    // Messages only name variables, never read their values; this local redactor is the second lock on
    // that door, in case a value also appears verbatim in the file (e.g. pasted into a string field).
    redactor local;
    if (loaded.config) {
        for (const auto& name : loaded.config->secret_env_names()) {
            if (auto value = env(name); value && !value->empty()) {
                local.add_secret(*value, name);
            }
        }
    }
    // SQLite: the folder must take the file. PostgreSQL: parsing already said whether url_env is set (never its
    // value); check-config talks to no server, so whether the URL reaches one is learnt at `opsbot run`.
    if (loaded.config && !loaded.config->database.empty()) {
        if (auto problem = database_folder_problem(loaded.config->database)) {
            loaded.problems.push_back({"database", *problem});
        }
    }
    for (const auto& problem : loaded.problems) {
        out << local.redact(problem.path + ": " + problem.message) << "\n";
    }
    if (loaded.config && loaded.problems.empty()) {
        const auto& c = *loaded.config;
        if (c.database_on_postgres()) {
            out << fmt::format("database: PostgreSQL, its URL in {} (set; not connected to by check-config)\n",
                               c.database_url_env);
        }
        out << fmt::format("config OK: {}, {}, {}\n", count(c.services.size(), "service", "services"),
                           count(c.secrets.size(), "secret", "secrets"),
                           count(c.policies.size(), "policy", "policies"));
        return 0;
    }
    out << count(loaded.problems.size(), "problem", "problems") << " found\n";
    return 1;
}

}  // namespace opsbot::bot
