#include "core/prisma_command.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace opsbot {
namespace {

/// The lower-case words of every element: a flag or subcommand hidden inside one element (a shell wrapper,
/// "prisma migrate reset" as one string) is still a word.
std::set<std::string> words_of(std::span<const std::string> argv) {
    std::set<std::string> words;
    for (const auto& element : argv) {
        std::string word;
        for (char c : element + " ") {
            if (std::isspace(static_cast<unsigned char>(c))) {
                if (!word.empty()) {
                    words.insert(word);
                    word.clear();
                }
            } else {
                word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
        }
    }
    return words;
}

}  // namespace

std::optional<std::string> destructive_prisma_command(std::span<const std::string> argv) {
    const auto words = words_of(argv);
    auto has = [&](std::string_view w) { return words.contains(std::string(w)); };
    // A boolean flag also comes as `--flag=true`.
    auto has_flag = [&](std::string_view flag) {
        return std::ranges::any_of(words, [&](const std::string& w) {
            return w == flag || (w.starts_with(flag) && w.size() > flag.size() && w[flag.size()] == '=');
        });
    };
    if (has_flag("--force-reset")) {
        return "`--force-reset` (drops the whole database before it runs)";
    }
    if (has("migrate") && has("reset")) {
        return "`migrate reset` (drops the database and re-applies every migration)";
    }
    if (has("db") && has("push")) {
        return has_flag("--accept-data-loss")
                   ? "`db push --accept-data-loss` (drops columns and tables to match the schema)"
                   : "`db push` (changes the schema without a migration and can drop data)";
    }
    if (has_flag("--accept-data-loss")) {
        return "`--accept-data-loss` (lets Prisma drop data)";
    }
    return std::nullopt;
}

}  // namespace opsbot
