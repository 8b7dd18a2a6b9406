#include "bot/audit_command.hpp"

#include "storage/audit_cli.hpp"

namespace opsbot::bot {

// The work lives in storage/audit_cli.cpp, where the storage unit tests cover it; this is the CLI's name for it.
int run_audit_verify(const std::string& db_path, const std::optional<storage::audit_anchor>& head, std::ostream& out) {
    return storage::audit_verify_command(db_path, head, out);
}

int run_audit_export(const std::string& db_path, std::optional<std::string> since_iso8601, std::ostream& out) {
    return storage::audit_export_command(db_path, since_iso8601, out);
}

int run_audit_verify(const stack_config& config, const std::optional<storage::audit_anchor>& head, std::ostream& out) {
    return storage::audit_verify_command(config, head, out);
}

int run_audit_export(const stack_config& config, std::optional<std::string> since_iso8601, std::ostream& out) {
    return storage::audit_export_command(config, since_iso8601, out);
}

}  // namespace opsbot::bot
