#pragma once

#include <boost/json/object.hpp>

#include <string>

namespace opsbot::bot {

/// One Socket Mode envelope (docs/slack.md §1.3): the payload is what an HTTP request URL would get.
struct envelope {
    std::string envelope_id;
    std::string type;  ///< slash_commands | interactive | events_api | anything else (acked, logged)
    boost::json::object payload;
    bool accepts_response_payload = false;
    int retry_attempt = 0;
};

}  // namespace opsbot::bot
