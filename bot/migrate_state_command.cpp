#include "bot/migrate_state_command.hpp"

#include <filesystem>
#include <ostream>

#include <fmt/format.h>

#include "storage/open_database.hpp"
#include "storage/state_copy.hpp"

namespace opsbot::bot {

int run_migrate_state(const std::string& from, const stack_config& config, std::ostream& out, std::ostream& err) {
    if (!config.database_on_postgres() &&
        std::filesystem::weakly_canonical(config.database) == std::filesystem::weakly_canonical(from)) {
        err << "opsbot: migrate-state: the config names " << from << " itself; name the new database there\n";
        return 1;
    }
    std::unique_ptr<storage::database> source;
    std::unique_ptr<storage::database> target;
    try {
        // Read-only: the old file is left exactly as it was, whatever happens next.
        source = std::make_unique<storage::database>(from, storage::open_mode::read_only);
        target = storage::open_database(config, storage::open_mode::create);
    } catch (const storage::database_error& e) {
        err << "opsbot: migrate-state: " << e.what() << "\n";
        return 2;
    }
    out << "copying the state of " << from << " …\n" << std::flush;
    system_clock clk;
    auto copied = storage::copy_state(*source, *target, clk);
    if (!copied) {
        err << "opsbot: migrate-state: " << copied.error().message << "\n";
        return 1;
    }
    for (const auto& [table, rows] : copied->rows) {
        out << fmt::format("  {:<15} {:>9} rows\n", table, rows);
    }
    out << fmt::format("audit log: {} entries, head {}, verified on both sides\n", copied->audit_entries,
                       copied->head_hash);
    return 0;
}

}  // namespace opsbot::bot
