#include "adapters/migration_runner.hpp"

#include "adapters/postgres_url.hpp"

#include <fmt/format.h>

namespace opsbot::adapters {

std::optional<std::string> refuse_deploy_command(const std::vector<std::string>& command) {
    std::string joined;
    for (const auto& arg : command) {
        joined += (joined.empty() ? "" : " ") + arg;
    }
    for (std::string_view banned : {"migrate reset", "db push"}) {
        if (joined.find(banned) != std::string::npos) {
            return fmt::format("Refusing to run `{}` (config: migrations.deploy_command). Runbook §4: {}", joined,
                               forbidden_migrate_warning);
        }
    }
    return std::nullopt;
}

result<subprocess_result> run_migrate_deploy(const deploy_settings& settings, const std::string& url) {
    if (auto refusal = refuse_deploy_command(settings.command)) {
        return fail(error_kind::forbidden, *refusal);
    }
    if (settings.command.empty()) {
        return fail(error_kind::invalid_input, "migrations.deploy_command is empty");
    }
    register_database_url(url);
    subprocess_options run;
    run.argv = settings.command;
    run.workdir = settings.workdir;
    // Prisma reads the URL from DATABASE_URL (runbook §4); an environment variable is not visible in `ps`.
    run.set_env = {{"DATABASE_URL", url}};
    run.timeout = settings.timeout;
    run.max_output = settings.max_output;
    return run_subprocess(run);
}

}  // namespace opsbot::adapters
