// The simulator's App Home (issue 15 item 5): `app_home_opened` events, clicks on a Home view, and views.publish
// validated the way Slack validates it (docs/slack.md §2.4; api-specs/slack.json /views.publish: user_id and view
// required; Slack answers `invalid_arguments` with the reasons in response_metadata.messages).
#include "sim/slack_sim_impl.hpp"

#include <boost/json.hpp>

namespace opsbot::sim {
namespace {

namespace json = boost::json;

/// A Home view holds at most 100 blocks (docs/slack.md §4).
constexpr std::size_t home_block_limit = 100;

json::object invalid(std::string message) {
    return json::object{{"ok", false},
                        {"error", "invalid_arguments"},
                        {"response_metadata", {{"messages", json::array{json::string(message)}}}}};
}

/// The block of `view` holding the button `action_id` with `value`, and that button; nulls when none does.
std::pair<const json::object*, const json::object*> find_button(const json::object& view, const std::string& action_id,
                                                                const std::string& value) {
    const auto* blocks = view.if_contains("blocks");
    if (blocks == nullptr || !blocks->is_array()) {
        return {nullptr, nullptr};
    }
    for (const auto& block : blocks->get_array()) {
        const auto* elements = block.is_object() ? block.get_object().if_contains("elements") : nullptr;
        if (elements == nullptr || !elements->is_array()) {
            continue;
        }
        for (const auto& el : elements->get_array()) {
            const auto* e = el.if_object();
            if (e == nullptr) {
                continue;
            }
            const auto* id = e->if_contains("action_id");
            const auto* v = e->if_contains("value");
            if (id != nullptr && id->is_string() && id->get_string() == action_id && v != nullptr && v->is_string() &&
                v->get_string() == value) {
                return {&block.get_object(), e};
            }
        }
    }
    return {nullptr, nullptr};
}

}  // namespace

json::object slack_simulator::impl::publish_view(const json::object& body) {
    const auto* user = body.if_contains("user_id");
    if (user == nullptr || !user->is_string() || user->get_string().empty()) {
        return invalid("[ERROR] missing required field: user_id");
    }
    const auto* given = body.if_contains("view");
    if (given == nullptr) {
        return invalid("[ERROR] missing required field: view");
    }
    // A form body carries the view as a JSON-encoded string; a JSON body may carry the object itself.
    json::value view = *given;
    if (view.is_string()) {
        boost::system::error_code ec;
        view = json::parse(view.get_string(), ec);
        if (ec) {
            return invalid("[ERROR] view is not valid JSON [json-pointer:/view]");
        }
    }
    if (!view.is_object()) {
        return invalid("[ERROR] must be an object [json-pointer:/view]");
    }
    auto& v = view.get_object();
    const auto* type = v.if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string() != "home") {
        return invalid("[ERROR] must be a valid enum value [json-pointer:/view/type]");
    }
    const auto* blocks = v.if_contains("blocks");
    if (blocks == nullptr || !blocks->is_array()) {
        return invalid("[ERROR] missing required field: blocks [json-pointer:/view]");
    }
    if (blocks->get_array().size() > home_block_limit) {
        return invalid("[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]");
    }
    const std::string user_id(user->get_string());
    std::string view_id = make_id("V");  // make_id takes mutex_ itself
    {
        std::lock_guard lock(mutex_);
        auto& stored = home_views_[user_id];
        // Slack keeps one Home view per user: its id stays, its content is replaced.
        if (stored.contains("id")) {
            view_id = std::string(stored.at("id").as_string());
        }
        stored = v;
        stored["id"] = view_id;
    }
    recorded_message m;
    m.kind = "views.publish";
    m.user = user_id;
    m.blocks = *blocks;
    m.body = body;
    m.body["view"] = v;
    record_message(std::move(m));
    json::object shown = v;
    shown["id"] = view_id;
    shown["app_id"] = options_.app_id;
    shown["team_id"] = options_.team_id;
    shown["bot_id"] = options_.bot_id;
    return json::object{{"ok", true}, {"view", std::move(shown)}};
}

std::optional<json::object> slack_simulator::home_view(const std::string& user_id) const {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->home_views_.find(user_id);
    if (it == impl_->home_views_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string slack_simulator::send_app_home_opened(const std::string& user_id, const std::string& tab,
                                                  connection_id on) {
    // api.slack.com/events/app_home_opened: user, channel (the app's DM), tab, event_ts, and the view once one was
    // published.
    json::object event{{"type", "app_home_opened"},
                       {"user", user_id},
                       {"channel", "D" + user_id},
                       {"tab", tab},
                       {"event_ts", impl_->make_ts()}};
    if (auto view = home_view(user_id)) {
        event["view"] = std::move(*view);
    }
    return send_event(std::move(event), {}, 0, on);
}

std::string slack_simulator::send_home_block_action(const std::string& user_id, const std::string& action_id,
                                                    const std::string& value, connection_id on) {
    const auto& o = impl_->options_;
    json::object action{{"action_id", action_id},
                        {"block_id", ""},
                        {"text", {{"type", "plain_text"}, {"text", action_id}, {"emoji", true}}},
                        {"value", value},
                        {"type", "button"},
                        {"action_ts", impl_->make_ts()}};
    json::object view = home_view(user_id).value_or(json::object{{"id", "V0NONE"}, {"type", "home"}});
    if (auto [block, button] = find_button(view, action_id, value); block != nullptr) {
        if (const auto* b = block->if_contains("block_id")) {
            action["block_id"] = *b;
        }
        for (const char* key : {"text", "style"}) {
            if (const auto* v = button->if_contains(key)) {
                action[key] = *v;
            }
        }
    }
    const std::string view_id(view.at("id").as_string());
    // docs/slack.md §2.2, §2.4: a click on a view has a "view" container and the view, no channel and no message; no
    // response_url either (those belong to messages).
    json::object payload{
        {"type", "block_actions"},
        {"user", {{"id", user_id}, {"username", "user-" + user_id}, {"name", "user-" + user_id}, {"team_id", o.team_id}}},
        {"api_app_id", o.app_id},
        {"token", "sim-verification-token"},
        {"container", {{"type", "view"}, {"view_id", view_id}}},
        {"trigger_id", impl_->make_id("trigger.")},
        {"team", {{"id", o.team_id}, {"domain", o.team_domain}}},
        {"enterprise", nullptr},
        {"is_enterprise_install", false},
        {"view", std::move(view)},
        {"actions", json::array{action}}};
    return send_envelope("interactive", std::move(payload), false, {}, on);
}

}  // namespace opsbot::sim
