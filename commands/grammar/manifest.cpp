#include "commands/grammar/manifest.hpp"

#include "commands/grammar/command_spec.hpp"

#include <boost/json.hpp>

namespace opsbot::commands {

namespace json = boost::json;

namespace {

void pretty(const json::value& v, std::string& out, int indent) {
    const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
    const std::string close_pad(static_cast<std::size_t>(indent), ' ');
    if (v.is_object()) {
        const auto& obj = v.get_object();
        if (obj.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        bool first = true;
        for (const auto& kv : obj) {
            out += first ? "" : ",\n";
            first = false;
            out += pad + json::serialize(json::string(kv.key())) + ": ";
            pretty(kv.value(), out, indent + 2);
        }
        out += "\n" + close_pad + "}";
    } else if (v.is_array()) {
        const auto& arr = v.get_array();
        if (arr.empty()) {
            out += "[]";
            return;
        }
        out += "[\n";
        bool first = true;
        for (const auto& item : arr) {
            out += first ? "" : ",\n";
            first = false;
            out += pad;
            pretty(item, out, indent + 2);
        }
        out += "\n" + close_pad + "]";
    } else {
        out += json::serialize(v);
    }
}

}  // namespace

std::string build_manifest_json(const stack_config& /*config*/, const std::vector<const family_spec*>& families) {
    json::array commands;
    for (const family_spec* spec : families) {
        const family_spec& family = *spec;
        // docs/slack.md §6: should_escape false, so the bot sees the text as typed (it escapes output itself).
        commands.push_back(json::object{{"command", family.command},
                                        {"description", family.description},
                                        {"usage_hint", family.usage()},
                                        {"should_escape", false}});
    }
    // Key order is insertion order (boost::json::object keeps it), so the output is stable.
    json::object manifest{
        {"_metadata", json::object{{"major_version", 1}, {"minor_version", 1}}},
        {"display_information",
         json::object{{"name", app_name},
                      {"description", "Runbook chat-ops: deploy, roll back, rotate secrets, migrate and back up, "
                                      "with approvals and an audit trail"}}},
        {"features", json::object{{"bot_user", json::object{{"display_name", app_name}, {"always_online", true}}},
                                  {"slash_commands", std::move(commands)},
                                  // The Home tab (issue 15 item 5, bot/home_tab.hpp); the Messages tab is where a
                                  // click on Home is answered (no channel to answer in), read-only.
                                  {"app_home", json::object{{"home_tab_enabled", true},
                                                            {"messages_tab_enabled", true},
                                                            {"messages_tab_read_only_enabled", true}}}}},
        {"oauth_config", json::object{{"scopes", json::object{{"bot", json::array{"commands", "chat:write"}}}}}},
        {"settings", json::object{// Socket Mode delivers the events as events_api envelopes: no request_url.
                                  {"event_subscriptions", json::object{{"bot_events", json::array{"app_home_opened"}}}},
                                  {"interactivity", json::object{{"is_enabled", true}}},
                                  {"org_deploy_enabled", false},
                                  {"socket_mode_enabled", true},
                                  {"token_rotation_enabled", false}}},
    };
    std::string out;
    pretty(manifest, out, 0);
    out += "\n";
    return out;
}

}  // namespace opsbot::commands
