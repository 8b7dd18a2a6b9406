#include "core/json_fields.hpp"

namespace opsbot {

std::string json_string(const boost::json::object& object, std::string_view key) {
    const auto* v = object.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string{};
}

}  // namespace opsbot
