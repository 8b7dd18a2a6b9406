#include "storage/audit_anchor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace opsbot::storage {

result<audit_anchor> parse_audit_anchor(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return fail(error_kind::invalid_input, "--head takes SEQ:HASH (for example 42:3f9a0c1d2e4b…)");
    }
    const std::string_view seq_text = text.substr(0, colon);
    std::string_view hash_text = text.substr(colon + 1);
    audit_anchor anchor;
    auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), anchor.seq);
    if (seq_text.empty() || ec != std::errc{} || end != seq_text.data() + seq_text.size() || anchor.seq < 1) {
        return fail(error_kind::invalid_input, "--head: SEQ must be an entry number (1 or more)");
    }
    const bool hex = std::all_of(hash_text.begin(), hash_text.end(),
                                 [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (!hex || hash_text.size() < audit_anchor_min_hex || hash_text.size() > 64) {
        return fail(error_kind::invalid_input,
                    fmt::format("--head: HASH must be {} to 64 hex digits (the whole hash or its start)",
                                audit_anchor_min_hex));
    }
    anchor.hash.reserve(hash_text.size());
    for (char c : hash_text) {
        anchor.hash.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return anchor;
}

std::string short_head(std::int64_t seq, std::string_view hash) {
    return fmt::format("#{} {}", seq, hash.substr(0, audit_anchor_min_hex));
}

}  // namespace opsbot::storage
