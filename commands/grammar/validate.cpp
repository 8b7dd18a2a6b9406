#include "commands/grammar/mrkdwn.hpp"
#include "commands/grammar/parser.hpp"

#include <algorithm>
#include <charconv>

namespace opsbot::commands {

namespace {

constexpr int max_count = 1000;
constexpr std::size_t max_text = 500;
constexpr std::size_t max_deployment_id = 128;

template <class Map>
std::string choices_of(const Map& map) {
    std::string out;
    for (const auto& [key, value] : map) {
        out += (out.empty() ? "" : ", ") + code_span(key);
    }
    return out;
}

/// Case-insensitive lookup of a config key; returns the key as spelled in the config.
template <class Map>
std::optional<std::string> find_key(const Map& map, std::string_view value) {
    std::string wanted = to_lower(value);
    for (const auto& [key, v] : map) {
        if (to_lower(key) == wanted) {
            return key;
        }
    }
    return std::nullopt;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

result<std::string> validate_count_or_action(std::string_view value) {
    if (all_digits(value)) {
        int n = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc{} && ptr == value.data() + value.size() && n >= 1 && n <= max_count) {
            return std::to_string(n);
        }
    } else if (value.size() > 2 && (value[0] == 'A' || value[0] == 'a') && value[1] == '-' &&
               all_digits(value.substr(2)) && value.size() <= 20) {
        return "A-" + std::string(value.substr(2));
    }
    return fail(error_kind::invalid_input, "Expected N (a whole number from 1 to " + std::to_string(max_count) +
                                               ") or an action id like `A-42`, got " + code_span(value) + ".");
}

}  // namespace

result<std::string> validate_value(arg_kind kind, std::string_view value, const stack_config& config) {
    switch (kind) {
        case arg_kind::service: {
            if (config.services.empty()) {
                return fail(error_kind::invalid_input, "No services are configured (add a `services` section to the config).");
            }
            if (auto key = find_key(config.services, value)) {
                return *key;
            }
            return fail(error_kind::invalid_input, "Unknown service " + code_span(value) +
                                                       ". Valid services: " + choices_of(config.services) + ".");
        }
        case arg_kind::environment: {
            std::string env = to_lower(value);
            if (env == "staging" || env == "production") {
                return env;
            }
            return fail(error_kind::invalid_input,
                        "Unknown environment " + code_span(value) + ". Valid environments: `staging`, `production`.");
        }
        case arg_kind::secret: {
            if (config.secrets.empty()) {
                return fail(error_kind::invalid_input, "No secrets are configured (add a `secrets` section to the config).");
            }
            if (auto key = find_key(config.secrets, value)) {
                return *key;
            }
            return fail(error_kind::invalid_input, "Unknown secret " + code_span(value) +
                                                       ". Valid secrets: " + choices_of(config.secrets) + ".");
        }
        case arg_kind::deployment: {
            bool ok = !value.empty() && value.size() <= max_deployment_id &&
                      std::ranges::all_of(value, [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                 c == '_' || c == '-' || c == '.' || c == ':';
                      });
            if (ok) {
                return std::string(value);
            }
            return fail(error_kind::invalid_input,
                        "Not a deployment id: " + code_span(value) + " (letters, digits, `_ - . :` only).");
        }
        case arg_kind::count_or_action:
            return validate_count_or_action(value);
        case arg_kind::count:
            if (all_digits(value) && value.size() <= 4) {
                const int n = std::stoi(std::string(value));
                if (n >= 1 && n <= max_count) {
                    return std::to_string(n);
                }
            }
            return fail(error_kind::invalid_input, "Expected N (a whole number from 1 to " +
                                                       std::to_string(max_count) + "), got " + code_span(value) + ".");
        case arg_kind::text: {
            std::size_t begin = value.find_first_not_of(" \t\r\n");
            if (begin == std::string_view::npos) {
                return fail(error_kind::invalid_input, "The reason must not be empty.");
            }
            std::size_t end = value.find_last_not_of(" \t\r\n");
            std::string_view trimmed = value.substr(begin, end - begin + 1);
            if (count_chars(trimmed) > max_text) {
                return fail(error_kind::invalid_input,
                            "The reason is too long (at most " + std::to_string(max_text) + " characters).");
            }
            return std::string(trimmed);
        }
    }
    return fail(error_kind::internal, "unknown argument kind");
}

}  // namespace opsbot::commands
