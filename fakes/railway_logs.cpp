#include "fakes/railway_logs.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <string>

namespace opsbot::fakes {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

std::string level_of(std::string_view severity) {
    std::string level = lower(severity);
    return level == "err" ? "error" : level;
}

bool term_matches(std::string_view term, const adapters::railway_log_line& line) {
    term = trimmed(term);
    if (term.empty()) {
        return true;
    }
    if (term.starts_with("@level:")) {
        return level_of(line.severity) == level_of(term.substr(7));
    }
    if (term.size() >= 2 && term.front() == '"' && term.back() == '"') {
        term = term.substr(1, term.size() - 2);
    }
    return lower(line.message).find(lower(term)) != std::string::npos;
}

}  // namespace

bool railway_log_matches(std::string_view filter, const adapters::railway_log_line& line) {
    for (;;) {
        const auto at = filter.find(" AND ");
        if (!term_matches(filter.substr(0, at), line)) {
            return false;
        }
        if (at == std::string_view::npos) {
            return true;
        }
        filter.remove_prefix(at + 5);
    }
}

std::vector<adapters::railway_log_line> railway_logs_answer(const std::vector<adapters::railway_log_line>& lines,
                                                           std::string_view filter, int limit) {
    std::vector<adapters::railway_log_line> out;
    for (auto it = lines.rbegin(); it != lines.rend() && std::cmp_less(out.size(), limit); ++it) {
        if (railway_log_matches(filter, *it)) {
            out.push_back(*it);
        }
    }
    std::ranges::reverse(out);
    return out;
}

}  // namespace opsbot::fakes
