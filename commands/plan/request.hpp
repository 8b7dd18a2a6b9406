#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <string_view>

namespace opsbot::commands {

/// What was asked, as a plan records it (plan::request) so that it can be planned again right before it runs:
/// {"family":"rollback","subcommand":"","args":{"service":"web"}}. Values are canonical (the parser's).
/// Each family turns it into its own typed request; nothing else reads its arguments.
struct stored_request {
    std::string family;      ///< "rollback": the family that plans it again
    std::string subcommand;  ///< "" for the family's default form
    std::map<std::string, std::string> args;

    /// The argument, or "" when absent.
    std::string arg(std::string_view name) const;
    boost::json::object to_json() const;
    /// Reads what to_json() wrote; missing parts stay empty.
    static stored_request from_json(const boost::json::object& json);
};

}  // namespace opsbot::commands
