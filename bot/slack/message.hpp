#pragma once

#include <boost/json/array.hpp>

#include <string>

namespace opsbot::bot {

/// A Slack message: fallback text (always set: notifications and screen readers) plus Block Kit blocks.
struct message {
    std::string text;
    boost::json::array blocks;
};

}  // namespace opsbot::bot
