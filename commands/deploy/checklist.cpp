#include "commands/deploy/checklist.hpp"

#include "core/mrkdwn.hpp"

namespace opsbot::commands {

std::string_view mark_symbol(check_mark mark) {
    switch (mark) {
        case check_mark::ok:
            return "\xE2\x9C\x85";  // ✅
        case check_mark::warn:
            return "\xE2\x9A\xA0\xEF\xB8\x8F";  // ⚠️
        case check_mark::fail:
            return "\xE2\x9D\x8C";  // ❌
    }
    return "?";
}

std::string_view to_string(check_mark mark) {
    switch (mark) {
        case check_mark::ok:
            return "ok";
        case check_mark::warn:
            return "warn";
        case check_mark::fail:
            return "fail";
    }
    return "?";
}

void checklist::add(check_mark mark, std::string label, std::string reason) {
    lines.push_back({mark, std::move(label), std::move(reason)});
}

bool checklist::any(check_mark mark) const {
    for (const auto& line : lines) {
        if (line.mark == mark) {
            return true;
        }
    }
    return false;
}

check_mark checklist::worst() const {
    if (any(check_mark::fail)) {
        return check_mark::fail;
    }
    return any(check_mark::warn) ? check_mark::warn : check_mark::ok;
}

std::string checklist::render() const {
    std::string out = "*" + escape_mrkdwn(title) + "*";
    for (const auto& line : lines) {
        out += "\n";
        out += mark_symbol(line.mark);
        out += " *" + escape_mrkdwn(line.label) + "*";
        if (!line.reason.empty()) {
            out += ": " + escape_mrkdwn(line.reason);
        }
    }
    for (const auto& item : manual) {
        out += "\n\xE2\x80\xA2 Manual: " + escape_mrkdwn(item);  // •
    }
    return out;
}

std::string checklist::summary_of(check_mark mark) const {
    std::string out;
    for (const auto& line : lines) {
        if (line.mark == mark) {
            out += (out.empty() ? "" : "; ") + line.label + ": " + line.reason;
        }
    }
    return out;
}

}  // namespace opsbot::commands
