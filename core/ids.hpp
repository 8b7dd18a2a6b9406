#pragma once

#include <compare>
#include <functional>
#include <string>

namespace opsbot {

/// A string id that cannot be mixed up with another kind of id (userver style).
template <class Tag>
class strong_id {
public:
    strong_id() = default;
    explicit strong_id(std::string value) : value_(std::move(value)) {}

    const std::string& str() const { return value_; }
    bool empty() const { return value_.empty(); }
    auto operator<=>(const strong_id&) const = default;

private:
    std::string value_;
};

using user_id = strong_id<struct user_id_tag>;        ///< Slack user id, e.g. U01
using channel_id = strong_id<struct channel_id_tag>;  ///< Slack channel id, e.g. C0123OPS
using action_id = strong_id<struct action_id_tag>;    ///< opsbot action id, e.g. A-7

}  // namespace opsbot

template <class Tag>
struct std::hash<opsbot::strong_id<Tag>> {
    size_t operator()(const opsbot::strong_id<Tag>& id) const noexcept { return std::hash<std::string>{}(id.str()); }
};
