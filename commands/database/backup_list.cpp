#include "commands/database/backup_list.hpp"

#include "commands/grammar/format.hpp"
#include "commands/grammar/mrkdwn.hpp"
#include "storage/audit_log.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <filesystem>

namespace opsbot::commands {
namespace {

std::string text_at(const boost::json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string{};
}

std::string size_text(const boost::json::object& obj) {
    const auto* v = obj.if_contains("bytes");
    if (v == nullptr || !v->is_number()) {
        return "size unknown";
    }
    const double bytes = v->to_number<double>();
    if (bytes < 1024) {
        return fmt::format("{} B", static_cast<long long>(bytes));
    }
    if (bytes < 1024 * 1024) {
        return fmt::format("{:.1f} KB", bytes / 1024.0);
    }
    return fmt::format("{:.1f} MB", bytes / (1024.0 * 1024.0));
}

}  // namespace

reply backup_list_reply(const parsed_command& command, const command_context& context) {
    if (context.db == nullptr) {
        return {"No audit database: backups cannot be listed.", false, true};
    }
    const std::string wanted = command.arg("env").value_or("");
    storage::audit_log log(*context.db, context.clk);
    auto entries = log.entries();
    if (!entries) {
        return {"Cannot read the audit log: " + escape_mrkdwn(entries.error().message), false, true};
    }
    std::string lines;
    int shown = 0;
    for (auto it = entries->rbegin(); it != entries->rend() && shown < 20; ++it) {
        if (it->event != "backup.created") {
            continue;
        }
        boost::system::error_code ec;
        auto detail = boost::json::parse(it->detail_json, ec);
        if (ec || !detail.is_object()) {
            continue;
        }
        const auto& d = detail.get_object();
        const std::string environment = text_at(d, "environment");
        if (!wanted.empty() && environment != wanted) {
            continue;
        }
        const std::string file = text_at(d, "file");
        std::error_code fe;
        const bool exists = !file.empty() && std::filesystem::exists(file, fe);
        lines += fmt::format("\n• *{}* {} — {}, {}, sha256 {}{}", environment, code_span(file, 120),
                             age_of_iso(it->time, context.clk), size_text(d), text_at(d, "sha256").substr(0, 12),
                             exists ? "" : " — :warning: file no longer exists");
        ++shown;
    }
    if (shown == 0) {
        return {wanted.empty() ? std::string("No backups recorded yet.")
                               : fmt::format("No backups of {} recorded yet.", wanted),
                false, false};
    }
    return {fmt::format("Backups{} (newest first):{}", wanted.empty() ? "" : " of " + wanted, lines), false, false};
}

}  // namespace opsbot::commands
