#include "adapters/migration_runner.hpp"

#include "adapters/postgres_url.hpp"
#include "core/prisma_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace opsbot::adapters {

std::optional<std::string> refuse_deploy_command(const std::vector<std::string>& command) {
    auto destructive = destructive_prisma_command(command);
    if (!destructive) {
        return std::nullopt;
    }
    return fmt::format("Refusing to run `{}` (config: migrations.deploy_command): it asks for {}. Runbook §4: {}",
                       fmt::join(command, " "), *destructive, forbidden_migrate_warning);
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
    run.passthrough = settings.env_passthrough;
    run.set_env = {{"DATABASE_URL", url}};
    run.timeout = settings.timeout;
    run.max_output = settings.max_output;
    return run_subprocess(run);
}

}  // namespace opsbot::adapters
