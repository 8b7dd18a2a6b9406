#pragma once

// JSON documents that hold secret values (a platform's variables): every block they use is overwritten when it is
// freed, and so is the parser's scratch space (issue 12 item 11).

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <string_view>

namespace opsbot {

/// A boost::json memory resource that overwrites (OPENSSL_cleanse) each block before freeing it; shared, so
/// values made with it may outlive the call that made them.
boost::json::storage_ptr wiping_json_storage();

/// boost::json::parse, but the document, the parser's temporary stack and its on-stack scratch buffer all live in
/// memory that is overwritten when released. On error `ec` is set and null is returned.
boost::json::value parse_json_wiping(std::string_view text, boost::system::error_code& ec);

}  // namespace opsbot
