#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace opsbot {

/// The string at `key`, or an empty string when it is absent or not a string. Most JSON we read (Slack
/// payloads, platform answers, plan params) treats a missing optional text field this way.
std::string json_string(const boost::json::object& object, std::string_view key);

}  // namespace opsbot
