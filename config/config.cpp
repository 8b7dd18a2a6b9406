#include "config/config.hpp"

#include "config/walk.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

namespace opsbot {
namespace {

std::string location(std::string_view text, size_t offset) {
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return fmt::format("{}:{}", line, column);
}

std::string describe_at(std::string_view text, size_t offset) {
    if (offset >= text.size()) {
        return "unexpected end of file (a missing '}', ']' or '\"'?)";
    }
    unsigned char c = static_cast<unsigned char>(text[offset]);
    if (std::isprint(c)) {
        return fmt::format("unexpected '{}' (a missing ',' or ':', or a quote?)", static_cast<char>(c));
    }
    return fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned>(c));
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::int64_t total = 0;
    size_t i = 0;
    constexpr std::int64_t limit = std::int64_t{366} * 24 * 3600 * 100;  // a century: anything more is a typo
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            return std::nullopt;
        }
        std::int64_t number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            number = number * 10 + (text[i] - '0');
            if (number > limit) {
                return std::nullopt;
            }
            ++i;
        }
        if (i == text.size()) {
            return std::nullopt;  // a unit is required: "15" could be seconds or minutes
        }
        std::int64_t unit = 0;
        switch (text[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: return std::nullopt;
        }
        ++i;
        total += number * unit;
        if (total > limit) {
            return std::nullopt;
        }
    }
    return std::chrono::seconds{total};
}

std::vector<std::string> stack_config::secret_env_names() const {
    std::vector<std::string> names;
    auto add = [&](const std::string& name) {
        if (!name.empty()) {
            names.push_back(name);
        }
    };
    add(slack.app_token_env);
    add(slack.bot_token_env);
    for (const auto& [_, service] : services) {
        add(service.token_env);
    }
    for (const auto& [_, db] : databases) {
        add(db.url_env);
    }
    add(database_url_env);  // the bot's own PostgreSQL (issue 14)
    // The secrets' own names too: should one be in the bot's environment, its value is a secret as well.
    for (const auto& [name, secret] : secrets) {
        add(name);
        for (const auto& [key, value] : secret.provider) {
            if (key.ends_with("_env")) {
                add(value);
            }
        }
    }
    if (monitoring.sentry) {
        add(monitoring.sentry->token_env);
    }
    if (monitoring.betterstack) {
        add(monitoring.betterstack->token_env);
    }
    if (monitoring.github) {
        add(monitoring.github->token_env);
    }
    std::ranges::sort(names);
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

config_load_result parse_config(std::string_view text, env_lookup env) {
    config_load_result result;
    boost::json::parse_options options;
    options.allow_comments = true;
    options.allow_trailing_commas = true;
    boost::json::stream_parser parser({}, options);
    boost::system::error_code ec;
    size_t consumed = parser.write_some(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
        consumed = text.size();
    }
    if (ec) {
        std::string message =
            fmt::format("JSON syntax error: {} ({})", describe_at(text, consumed), ec.message());
        result.problems.push_back({location(text, consumed), std::move(message)});
        return result;
    }
    boost::json::value root = parser.release();
    config_detail::walker walker(env);
    stack_config config;
    config_detail::read_root(root, walker, config);
    result.problems = config_detail::find_duplicate_keys(text, options);
    for (auto& problem : walker.take_problems()) {
        result.problems.push_back(std::move(problem));
    }
    result.config = std::move(config);
    return result;
}

config_load_result load_config_file(const std::string& path, env_lookup env) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        config_load_result result;
        result.problems.push_back({path, "cannot open the file: check the path given to --config (see "
                                         "manifest/opsbot.example.jsonc for a template)"});
        return result;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    auto result = parse_config(buffer.str(), env);
    if (!result.config) {
        // Syntax errors carry line:column; prefix the file like a compiler does.
        for (auto& problem : result.problems) {
            problem.path = path + ":" + problem.path;
        }
    }
    return result;
}

}  // namespace opsbot
