// The slash-command text a user types (docs/slack.md §2.1): tokenizer, help detection and the parser with
// validation, against every family's real spec (commands/*/spec*.cpp) and a config like docs/design.md's.
// Invariants: nothing throws (the API promises result<>); tokens written back with quotes tokenize to the same
// words; a refusal is a non-empty message; a parsed command names its own family and only declared arguments.

#include "commands/audit/spec.hpp"
#include "commands/database/spec.hpp"
#include "commands/deploy/spec.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/tokenizer.hpp"
#include "commands/incident/spec.hpp"
#include "commands/rollback/spec.hpp"
#include "commands/rotate/spec.hpp"
#include "core/mrkdwn.hpp"
#include "fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace opsbot;
using namespace opsbot::commands;

const std::vector<family_spec>& families() {
    static const std::vector<family_spec> all = {deploy_family(),   rollback_family(), migrate_family(),
                                                 backup_family(),   rotate_family(),   incident_family(),
                                                 audit_family()};
    return all;
}

const stack_config& config() {
    static const stack_config c = [] {
        stack_config config;
        config.slack.ops_channel = "C0123OPS";
        config.groups = {{"deployers", {"U01", "U02"}}, {"approvers", {"U02"}}};
        service_config web;
        web.name = "web";
        web.platform = platform_kind::vercel;
        service_config api;
        api.name = "api";
        api.platform = platform_kind::railway;
        config.services = {{"web", web}, {"api", api}};
        config.databases = {{"staging", {"STAGING_DATABASE_URL"}}, {"production", {"PRODUCTION_DATABASE_URL"}}};
        for (const char* name : {"BETTER_AUTH_SECRET", "OPENAI_API_KEY"}) {
            secret_config secret;
            secret.name = name;
            secret.services = {"api"};
            config.secrets[name] = secret;
        }
        return config;
    }();
    return c;
}

/// The words written back as text: each in double quotes, with \, " and the smart double quotes escaped.
std::string requote(const std::vector<token>& tokens) {
    std::string text;
    for (const auto& t : tokens) {
        text += text.empty() ? "\"" : " \"";
        for (std::size_t i = 0; i < t.text.size(); ++i) {
            std::string_view rest = std::string_view(t.text).substr(i);
            if (t.text[i] == '\\' || t.text[i] == '"' || rest.starts_with("\xE2\x80\x9C") ||
                rest.starts_with("\xE2\x80\x9D")) {
                text += '\\';
            }
            text += t.text[i];
        }
        text += '"';
    }
    return text;
}

void check_parse(const family_spec& family, const std::vector<token>& tokens,
                 const std::vector<const family_spec*>& others) {
    // Help is decided before anything else and always names a subcommand of this family when it names one.
    if (auto help = detect_help(family, tokens); help && help->subcommand != nullptr) {
        FUZZ_REQUIRE(std::any_of(family.subcommands.begin(), family.subcommands.end(),
                                 [&](const subcommand_spec& s) { return &s == help->subcommand; }));
    }
    auto parsed = parse_command(family, tokens, config(), others);
    if (!parsed) {
        FUZZ_REQUIRE(!parsed.error().message.empty());
        return;
    }
    FUZZ_REQUIRE(parsed->family == family.name);
    const subcommand_spec* sub = parsed->subcommand.empty() ? family.default_form() : family.find(parsed->subcommand);
    FUZZ_REQUIRE(sub != nullptr);
    for (const auto& [name, value] : parsed->args) {
        bool declared = false;
        for (const auto& arg : sub->args) {
            declared = declared || arg.name == name;
        }
        FUZZ_REQUIRE(declared);
    }
    for (const auto& [name, value] : parsed->flags) {
        FUZZ_REQUIRE(sub->find_flag(name) != nullptr);
    }
    // The loggable name is the family's command and the subcommand: nothing else the user typed.
    FUZZ_REQUIRE(parsed->display_name() ==
                 (parsed->subcommand.empty() ? family.command : family.command + " " + parsed->subcommand));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto tokens = tokenize(text);
    if (!tokens) {
        FUZZ_REQUIRE(!tokens.error().message.empty());
        return 0;
    }
    // Round trip: quoting every word keeps its text (when the quoted form is still within the length limit).
    std::string again = requote(*tokens);
    if (count_chars(again) <= max_command_text) {
        auto retokenized = tokenize(again);
        FUZZ_REQUIRE(retokenized.has_value());
        FUZZ_REQUIRE(retokenized->size() == tokens->size());
        for (std::size_t i = 0; i < tokens->size(); ++i) {
            FUZZ_REQUIRE((*retokenized)[i].text == (*tokens)[i].text);
        }
    }
    std::vector<const family_spec*> all;
    for (const auto& f : families()) {
        all.push_back(&f);
    }
    for (const auto& family : families()) {
        std::vector<const family_spec*> others;
        for (const auto* f : all) {
            if (f != &family) {
                others.push_back(f);
            }
        }
        check_parse(family, *tokens, others);
    }
    return 0;
}
