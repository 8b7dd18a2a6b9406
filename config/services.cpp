// `services` (Vercel / Railway) and `secrets` (runbook §6) of the stack description.

#include "config/walk.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

namespace opsbot::config_detail {
namespace {

/// "hex32, hex16, …": the generators the config accepts, for messages.
std::string generator_choices() {
    std::vector<std::string_view> words;
    for (auto generator : all_generators) {
        words.push_back(to_string(generator));
    }
    return fmt::format("{}", fmt::join(words, ", "));
}

/// A string member read ahead of the walk (platform, generate), so later checks know which fields apply.
std::string peek_string(const json::value& v, std::string_view key) {
    if (v.is_object()) {
        if (const auto* member = v.get_object().if_contains(key); member != nullptr && member->is_string()) {
            return std::string(member->get_string());
        }
    }
    return {};
}

void read_string_map(walker& w, const json::value& v, const std::string& path, std::map<std::string, std::string>& out,
                     bool urls) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [key, value] : *obj) {
        std::string item;
        std::string item_path = join_path(path, key);
        if (urls ? w.read_url(value, item_path, item) : w.read_string(value, item_path, item)) {
            out[std::string(key)] = std::move(item);
        }
    }
}

/// `verify` of a Railway service: { "log_lines": ["…", …] }, each line non-empty and searchable as one quoted
/// Railway log query (so no double quote).
void read_verify(walker& w, const json::value& v, const std::string& path, service_config& s) {
    const field fields[] = {
        {"log_lines",
         [&](auto& x, auto& p) {
             std::vector<std::string> lines;
             if (!w.read_string_array(x, p, lines, true)) {
                 return;
             }
             bool ok = true;
             for (size_t i = 0; i < lines.size(); ++i) {
                 if (lines[i].find_first_not_of(" \t") == std::string::npos) {
                     w.problem(index_path(p, i), "must not be blank: the text of a start-up line to look for");
                     ok = false;
                 } else if (lines[i].find('"') != std::string::npos) {
                     w.problem(index_path(p, i), "must not contain a double quote (it is searched as one quoted "
                                                 "Railway log query)");
                     ok = false;
                 }
             }
             if (ok) {
                 s.verify_log_lines = std::move(lines);
             }
         },
         false, "", ""},
    };
    w.walk_object(v, path, fields);
}

void read_service(walker& w, const json::value& v, const std::string& path, service_config& s) {
    std::string platform = peek_string(v, "platform");
    bool vercel = platform == "vercel";
    bool railway = platform == "railway";
    // Keys of the other platform are known but refused, so the message can say why.
    std::string_view vercel_only = railway ? "not used by platform railway (it is a vercel field)" : "";
    std::string_view railway_only = vercel ? "not used by platform vercel (it is a railway field)" : "";
    const field fields[] = {
        {"platform",
         [&](auto& x, auto& p) {
             std::string text;
             if (!w.read_string(x, p, text)) {
                 return;
             }
             if (auto parsed = parse_platform(text)) {
                 s.platform = *parsed;
             } else {
                 w.problem(p, fmt::format("\"{}\" is not a supported platform: use \"vercel\" or \"railway\"",
                                          text));
             }
         },
         true, "\"vercel\" or \"railway\""},
        {"api_url", [&](auto& x, auto& p) { w.read_url(x, p, s.api_url); }},
        {"token_env", [&](auto& x, auto& p) { w.read_env_name(x, p, s.token_env); }, true,
         "the environment variable holding the platform API token"},
        {"project_id", [&](auto& x, auto& p) { w.read_string(x, p, s.project_id); }, true,
         vercel ? "the Vercel project id (prj_…)" : "the Railway project id"},
        {"health_url", [&](auto& x, auto& p) { read_string_map(w, x, p, s.health_url, true); }},
        {"team_id", [&](auto& x, auto& p) { w.read_string(x, p, s.team_id); }, false, "", vercel_only},
        {"url", [&](auto& x, auto& p) { w.read_url(x, p, s.url); }, vercel, "the public URL of the web app",
         vercel_only},
        {"service_id", [&](auto& x, auto& p) { w.read_string(x, p, s.service_id); }, railway,
         "the Railway service id", railway_only},
        {"environments",
         [&](auto& x, auto& p) {
             if (x.is_object() && !x.get_object().contains("production")) {
                 w.problem(join_path(p, "production"), "required: the Railway environment id of production");
             }
             read_string_map(w, x, p, s.environments, false);
         },
         railway, "{ \"production\": \"<Railway environment id>\", … }", railway_only},
        {"token_header",
         [&](auto& x, auto& p) {
             // docs/platforms.md §2: account/workspace tokens use Bearer, project tokens Project-Access-Token.
             if (w.read_string(x, p, s.token_header) && s.token_header != "Bearer" &&
                 s.token_header != "Project-Access-Token") {
                 w.problem(p, fmt::format("\"{}\" is not a Railway token header: use \"Bearer\" (account or "
                                          "workspace token) or \"Project-Access-Token\" (project token)",
                                          s.token_header));
             }
         },
         false, "", railway_only},
        {"verify", [&](auto& x, auto& p) { read_verify(w, x, p, s); }, false, "",
         vercel ? "not used by platform vercel (log lines are read from Railway's deployment logs)" : ""},
    };
    w.walk_object(v, path, fields);
    if (s.api_url.empty()) {
        s.api_url = vercel ? "https://api.vercel.com" : railway ? "https://backboard.railway.com/graphql/v2" : "";
    }
    if (railway && s.token_header.empty()) {
        s.token_header = "Bearer";
    }
}

std::vector<std::string_view> provider_keys(std::string_view generate) {
    // docs/platforms.md §6: what each provider's rotation API needs.
    if (generate == "openai") {
        return {"api_url", "token_env", "project_id", "service_account_id", "key_name"};
    }
    if (generate == "resend") {
        return {"api_url", "token_env", "permission", "domain_id", "key_name"};
    }
    if (generate == "posthog") {
        return {"api_url", "token_env", "project_id"};
    }
    return {};
}

void read_provider(walker& w, const json::value& v, const std::string& path, std::string_view generate,
                   secret_config& out) {
    auto keys = provider_keys(generate);
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [key, value] : *obj) {
        std::string key_path = join_path(path, key);
        if (keys.empty()) {
            w.problem(key_path, fmt::format("unknown key: generate \"{}\" takes no provider settings", generate));
            continue;
        }
        if (std::ranges::find(keys, std::string_view(key)) == keys.end()) {
            std::string hint = suggest(key, keys);
            w.problem(key_path, hint.empty() ? fmt::format("unknown key (known: {})", fmt::join(keys, ", "))
                                             : fmt::format("unknown key (did you mean {}?)", hint));
            continue;
        }
        std::string item;
        bool ok = key == "token_env" ? w.read_env_name(value, key_path, item)
                  : key == "api_url" ? w.read_url(value, key_path, item)
                                     : w.read_string(value, key_path, item);
        if (ok) {
            out.provider[std::string(key)] = std::move(item);
        }
    }
    if (!keys.empty() && !obj->contains("token_env")) {
        w.problem(join_path(path, "token_env"),
                  fmt::format("required: the environment variable holding the {} admin key used to rotate", generate));
    }
}

void read_secret(walker& w, const json::value& v, const std::string& path, const known_names& names,
                 secret_config& s) {
    std::string generate = peek_string(v, "generate");
    bool needs_provider = !provider_keys(generate).empty();
    const field fields[] = {
        {"generate",
         [&](auto& x, auto& p) {
             std::string text;
             if (!w.read_string(x, p, text)) {
                 return;
             }
             if (auto parsed = parse_generator(text)) {
                 s.generate = *parsed;
             } else {
                 w.problem(p, fmt::format("\"{}\" is not a generator: use one of {}", text, generator_choices()));
             }
         },
         true, "how a new value is made: hex32, hex16, manual, resend, openai or posthog"},
        {"services",
         [&](auto& x, auto& p) {
             if (!w.read_string_array(x, p, s.services, false)) {
                 return;
             }
             for (size_t i = 0; i < s.services.size(); ++i) {
                 if (std::ranges::find(names.services, s.services[i]) == names.services.end()) {
                     w.problem(index_path(p, i), fmt::format("service \"{}\" is not defined in services",
                                                             s.services[i]));
                 }
             }
         },
         true, "the services whose environment holds this secret, e.g. [\"api\"]"},
        {"impact", [&](auto& x, auto& p) { w.read_string(x, p, s.impact); }},
        {"reencrypt_command", [&](auto& x, auto& p) { w.read_string_array(x, p, s.reencrypt_command, false); }},
        {"env_passthrough", [&](auto& x, auto& p) { w.read_string_array(x, p, s.env_passthrough, true); }},
        {"provider", [&](auto& x, auto& p) { read_provider(w, x, p, generate, s); }, needs_provider,
         "{ \"token_env\": \"…\" } with the admin key that creates and revokes keys"},
    };
    w.walk_object(v, path, fields);
}

}  // namespace

void read_services(const json::value& v, const std::string& path, walker& w, stack_config& config) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [name, entry] : *obj) {
        service_config s;
        s.name = std::string(name);
        read_service(w, entry, join_path(path, name), s);
        config.services[s.name] = std::move(s);
    }
}

void read_secrets(const json::value& v, const std::string& path, walker& w, const known_names& names,
                  stack_config& config) {
    const json::object* obj = w.as_object(v, path);
    if (obj == nullptr) {
        return;
    }
    for (const auto& [name, entry] : *obj) {
        std::string secret_path = join_path(path, name);
        if (!is_env_name(name)) {
            w.problem(secret_path, "a secret is keyed by its environment variable name (A-Z, 0-9, _), e.g. "
                                   "BETTER_AUTH_SECRET");
            continue;
        }
        secret_config s;
        s.name = std::string(name);
        read_secret(w, entry, secret_path, names, s);
        config.secrets[s.name] = std::move(s);
    }
}

}  // namespace opsbot::config_detail
