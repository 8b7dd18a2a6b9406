#include "core/redactor.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace opsbot {
namespace {

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

size_t token_end(std::string_view text, size_t from) {
    while (from < text.size() && is_token_char(text[from])) {
        ++from;
    }
    return from;
}

bool word_start(std::string_view text, size_t pos) {
    return pos == 0 || !is_token_char(text[pos - 1]);
}

struct prefix_rule {
    std::string_view prefix;
    size_t min_rest;  // characters after the prefix before we call it a token
};

// Slack: xoxb- (bot), xoxp- (user), xoxa-, xoxr-, xoxs-, xoxe-, xapp- (app-level); OpenAI: sk-, sk-proj-;
// GitHub: ghp_, gho_, ghs_, github_pat_; Resend: re_; PostHog personal keys: phx_.
constexpr std::array<prefix_rule, 13> prefix_rules{{
    {"xoxb-", 6}, {"xoxp-", 6}, {"xoxa-", 6}, {"xoxr-", 6}, {"xoxs-", 6}, {"xoxe-", 6}, {"xapp-", 6},
    {"sk-", 16}, {"ghp_", 16}, {"gho_", 16}, {"ghs_", 16}, {"github_pat_", 16}, {"phx_", 16},
}};

}  // namespace

std::string redact_token_shapes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        bool replaced = false;
        for (const auto& rule : prefix_rules) {
            if (text.substr(i, rule.prefix.size()) == rule.prefix && word_start(text, i)) {
                size_t end = token_end(text, i + rule.prefix.size());
                if (end - i - rule.prefix.size() >= rule.min_rest) {
                    out.append(rule.prefix).append("[redacted]");
                    i = end;
                    replaced = true;
                }
                break;
            }
        }
        if (replaced) {
            continue;
        }
        // "Bearer <token>" in headers or error text.
        if ((text.substr(i, 7) == "Bearer " || text.substr(i, 7) == "bearer ") && word_start(text, i)) {
            size_t start = i + 7;
            size_t end = start;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != '"' &&
                   text[end] != ',') {
                ++end;
            }
            if (end > start) {
                out.append(text.substr(i, 7)).append("[redacted]");
                i = end;
                continue;
            }
        }
        // scheme://user:password@host — keep user and host, drop the password.
        if (text.substr(i, 3) == "://") {
            size_t at = text.find('@', i + 3);
            size_t stop = text.find_first_of(" \t\r\n\"'/", i + 3);
            if (at != std::string_view::npos && (stop == std::string_view::npos || at < stop)) {
                size_t colon = text.find(':', i + 3);
                if (colon != std::string_view::npos && colon < at) {
                    out.append(text.substr(i, colon + 1 - i)).append("[redacted]");
                    i = at;
                    continue;
                }
            }
        }
        out.push_back(text[i]);
        ++i;
    }
    return out;
}

void redactor::add_secret(std::string value, std::string label) {
    if (value.size() < 6) {
        secure_erase(value);
        return;
    }
    secret entry{make_wiping_string(value), std::move(label)};
    secure_erase(value);
    std::unique_lock lock(mutex_);
    if (std::ranges::any_of(secrets_, [&](const secret& s) { return s.value == entry.value; })) {
        return;
    }
    secrets_.push_back(std::move(entry));
    // Longest first, so a secret containing another is replaced whole.
    std::ranges::sort(secrets_, [](const secret& a, const secret& b) { return a.value.size() > b.value.size(); });
}

void redactor::remove_secret(std::string_view value) {
    std::unique_lock lock(mutex_);
    std::erase_if(secrets_, [&](const secret& s) { return std::string_view(s.value) == value; });
}

std::string redactor::redact(std::string_view text) const {
    // The text still holds the values until they are replaced: work on a copy that is wiped when released.
    wiping_string out = make_wiping_string(text);
    {
        std::shared_lock lock(mutex_);
        for (const auto& s : secrets_) {
            const std::string replacement = s.label.empty() ? "[redacted]" : "[redacted:" + s.label + "]";
            for (size_t pos = out.find(s.value); pos != wiping_string::npos; pos = out.find(s.value, pos)) {
                out.replace(pos, s.value.size(), replacement.data(), replacement.size());
                pos += replacement.size();
            }
        }
    }
    return redact_token_shapes(std::string_view(out.data(), out.size()));
}

redactor& global_redactor() {
    static redactor instance;
    return instance;
}

}  // namespace opsbot
