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

/// The canonical text of `value` in a form that reads back as itself: Boost.JSON 1.81's parser rounds some numbers
/// one unit in the last place off (it reads "2.2E39", the exact text of 2.2e39, as 2.1999999999999998e39; some
/// texts even alternate between two values), so a double whose text does not read back as that double is written
/// as its text in a JSON string. For text stored and checked again later (the audit log's detail, which `audit
/// verify` re-parses): found by fuzz/audit_fuzz.cpp. Every other value is as in canonical_json.
std::string stable_canonical_json(const boost::json::value& value);

// The hash that goes with it lives in core (core/sha256.hpp), shared with plan digests and fingerprints.
using opsbot::sha256_hex;

}  // namespace opsbot::storage
