#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace opsbot::commands {

/// The verdict of one checklist line: ✅ passed, ⚠️ needs a human look, ❌ failed.
enum class check_mark { ok, warn, fail };

/// ":white_check_mark:" style emoji for a mark (as UTF-8 characters: ✅ ⚠️ ❌).
std::string_view mark_symbol(check_mark mark);
/// "ok" | "warn" | "fail" (for the audit log).
std::string_view to_string(check_mark mark);

/// One line: a label ("CI on main") and the reason for its mark. Both are raw text: rendering escapes them.
struct check_line {
    check_mark mark = check_mark::ok;
    std::string label;
    std::string reason;
};

/// A titled list of lines (`/deploy check`, `/deploy verify`), rendered as Slack mrkdwn.
struct checklist {
    std::string title;  ///< raw text, rendered bold
    std::vector<check_line> lines;
    /// Checks no API can do, for a person to do (raw text): rendered after the lines as "Manual: …", never marked.
    std::vector<std::string> manual;

    void add(check_mark mark, std::string label, std::string reason);
    bool any(check_mark mark) const;
    /// The worst mark of all lines (ok when there are none).
    check_mark worst() const;
    /// "*title*\n✅ *label*: reason\n…\n• Manual: item" with every piece of text escaped by escape_mrkdwn.
    std::string render() const;
    /// "label: reason" of every line with this mark, joined by "; " (raw text).
    std::string summary_of(check_mark mark) const;
};

}  // namespace opsbot::commands
