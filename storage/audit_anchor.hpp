#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace opsbot::storage {

/// A head of the audit log kept outside the database (the bot posts one to Slack: `audit head #SEQ HASH12`):
/// entry SEQ and its hash. `opsbot audit verify --head SEQ:HASH` proves the log still holds it, unchanged, with
/// nothing missing before it — which the chain alone cannot (deleting the last entries leaves a sound chain).
struct audit_anchor {
    std::int64_t seq = 0;
    std::string hash;  ///< lowercase hex: the full hash, or a prefix of at least audit_anchor_min_hex digits
};

/// The shortest hash prefix an anchor may give: 12 hex digits (48 bits), as the bot shows heads in Slack. A full
/// hash is the stronger check and is what the daily post's command line carries.
inline constexpr std::size_t audit_anchor_min_hex = 12;

/// Reads "SEQ:HASH" (the form `--head` takes): SEQ a whole number ≥ 1, HASH 12 to 64 hex digits in either case.
/// invalid_input with the reason otherwise.
result<audit_anchor> parse_audit_anchor(std::string_view text);

/// "#SEQ HASH12": how the bot names a head in Slack (the first 12 hex digits of the hash).
std::string short_head(std::int64_t seq, std::string_view hash);

}  // namespace opsbot::storage
