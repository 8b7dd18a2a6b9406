#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "core/sha256.hpp"

namespace opsbot::storage {

/// One fixed serialization of a JSON value: object keys sorted by their UTF-8 bytes, no whitespace,
/// strings escaped as Boost.JSON does. Equal values give equal text, so the text can be hashed
/// (audit chain, plan digests).
std::string canonical_json(const boost::json::value& value);

// The hash that goes with it lives in core (core/sha256.hpp), shared with plan digests and fingerprints.
using opsbot::sha256_hex;

}  // namespace opsbot::storage
