#include "commands/plan/request.hpp"

#include "core/json_fields.hpp"

namespace opsbot::commands {

std::string stored_request::arg(std::string_view name) const {
    auto it = args.find(std::string(name));
    return it == args.end() ? std::string{} : it->second;
}

boost::json::object stored_request::to_json() const {
    boost::json::object values;
    for (const auto& [name, value] : args) {
        values[name] = value;
    }
    return {{"family", family}, {"subcommand", subcommand}, {"args", std::move(values)}};
}

stored_request stored_request::from_json(const boost::json::object& json) {
    stored_request out;
    out.family = json_string(json, "family");
    out.subcommand = json_string(json, "subcommand");
    if (const auto* args = json.if_contains("args"); args != nullptr && args->is_object()) {
        for (const auto& [name, value] : args->get_object()) {
            if (value.is_string()) {
                out.args.emplace(std::string(name), std::string(value.get_string()));
            }
        }
    }
    return out;
}

}  // namespace opsbot::commands
