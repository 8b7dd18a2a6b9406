#include "storage/audit_cli.hpp"

#include <fmt/format.h>

#include <functional>
#include <memory>
#include <ostream>

#include "core/clock.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/open_database.hpp"
#include "storage/time_format.hpp"

namespace opsbot::storage {
namespace {

constexpr int exit_ok = 0;
constexpr int exit_broken = 1;
constexpr int exit_usage = 2;

// "N entries, head #N <hash>": what the walk found, printed whatever the verdict.
std::string found(const audit_verification& report) {
    if (report.entries == 0) {
        return "0 entries, head #0 (empty log)";
    }
    return fmt::format("{} entries, head #{} {}", report.entries, report.entries, report.head_hash);
}

/// Opens the database read-only (throws database_error); `name` says which in messages.
using opener = std::function<std::unique_ptr<database>()>;

int verify_in(const opener& open, const std::string& name, const std::optional<audit_anchor>& anchor,
              std::ostream& out) {
    try {
        const auto opened = open();
        database& db = *opened;
        system_clock clock;
        audit_log log(db, clock);
        auto report = log.verify(anchor);
        if (!report) {
            out << "cannot verify the audit log in " << name << ": " << report.error().message << '\n';
            return exit_usage;
        }
        if (report->broken_seq) {
            out << "audit entry " << *report->broken_seq << " is broken: " << report->reason << '\n'
                << "found: " << found(*report) << " (the sound entries before it)\n";
            return exit_broken;
        }
        if (!report->anchor_problem.empty()) {
            out << "audit log does not reach the head " << anchor->seq << ':' << anchor->hash << ": "
                << report->anchor_problem << '\n'
                << "found: " << found(*report) << '\n';
            return exit_broken;
        }
        out << "audit log OK: " << found(*report);
        if (anchor) {
            out << "; it holds the published head #" << anchor->seq << ' ' << anchor->hash;
        }
        out << '\n';
        return exit_ok;
    } catch (const database_error& e) {
        out << e.what() << '\n';
        return exit_usage;
    }
}

int export_from(const opener& open, const std::string& name, const std::optional<std::string>& since_iso8601,
                std::ostream& out) {
    std::optional<clock::time_point> since;
    if (since_iso8601) {
        auto parsed = parse_iso8601(*since_iso8601);
        if (!parsed) {
            out << "--since: " << parsed.error().message << '\n';
            return exit_usage;
        }
        since = *parsed;
    }
    try {
        const auto opened = open();
        database& db = *opened;
        system_clock clock;
        audit_log log(db, clock);
        auto written = log.export_jsonl(out, since);
        if (!written) {
            out << "cannot export the audit log in " << name << ": " << written.error().message << '\n';
            return exit_usage;
        }
        return exit_ok;
    } catch (const database_error& e) {
        out << e.what() << '\n';
        return exit_usage;
    }
}

std::string name_of(const stack_config& config) {
    return config.database_on_postgres() ? "the PostgreSQL database in " + config.database_url_env : config.database;
}

}  // namespace

int audit_verify_command(const std::string& db_path, const std::optional<audit_anchor>& anchor, std::ostream& out) {
    return verify_in([&] { return std::make_unique<database>(db_path, open_mode::read_only); }, db_path, anchor, out);
}

int audit_verify_command(const stack_config& config, const std::optional<audit_anchor>& anchor, std::ostream& out,
                         env_lookup env) {
    return verify_in([&] { return open_database(config, open_mode::read_only, env); }, name_of(config), anchor, out);
}

int audit_export_command(const std::string& db_path, const std::optional<std::string>& since_iso8601,
                         std::ostream& out) {
    return export_from([&] { return std::make_unique<database>(db_path, open_mode::read_only); }, db_path,
                       since_iso8601, out);
}

int audit_export_command(const stack_config& config, const std::optional<std::string>& since_iso8601,
                         std::ostream& out, env_lookup env) {
    return export_from([&] { return open_database(config, open_mode::read_only, env); }, name_of(config),
                       since_iso8601, out);
}

}  // namespace opsbot::storage
