// What `opsbot audit verify|export` reads from its command line and what it recomputes (storage/audit_cli.hpp):
// the published head `--head SEQ:HASH`, the `--since` time, and the canonical JSON an entry's hash covers; with the
// timestamps the monitoring APIs send (Sentry, BetterStack: adapters/sentry.hpp), read by the same kind of code.
// Input: the first line is the anchor / time text; the whole input is the JSON.
// Invariants: a parsed anchor written back parses to itself; a parsed time written back (ISO-8601, ms) parses to
// the same instant; the stable canonical JSON (the audit log's) reads back as itself.

#include "adapters/sentry.hpp"
#include "fuzz/fuzz_check.hpp"
#include "storage/audit_anchor.hpp"
#include "storage/canonical_json.hpp"
#include "storage/time_format.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace opsbot;

void check_anchor(std::string_view text) {
    auto anchor = storage::parse_audit_anchor(text);
    if (!anchor) {
        FUZZ_REQUIRE(!anchor.error().message.empty());
        return;
    }
    FUZZ_REQUIRE(anchor->seq >= 1);
    FUZZ_REQUIRE(anchor->hash.size() >= storage::audit_anchor_min_hex && anchor->hash.size() <= 64);
    auto again = storage::parse_audit_anchor(std::to_string(anchor->seq) + ":" + anchor->hash);
    FUZZ_REQUIRE(again && again->seq == anchor->seq && again->hash == anchor->hash);
    // How Slack shows the head: "#SEQ " and the first 12 hex digits.
    const std::string shown = storage::short_head(anchor->seq, anchor->hash);
    FUZZ_REQUIRE(shown == "#" + std::to_string(anchor->seq) + " " + anchor->hash.substr(0, storage::audit_anchor_min_hex));
}

void check_since(std::string_view text) {
    auto t = storage::parse_iso8601(text);
    if (!t) {
        FUZZ_REQUIRE(!t.error().message.empty());
        return;
    }
    std::string written = storage::format_iso8601_ms(*t);
    auto again = storage::parse_iso8601(written);
    FUZZ_REQUIRE(again.has_value());
    FUZZ_REQUIRE(*again == std::chrono::floor<std::chrono::milliseconds>(*t));
    // The INTEGER column form reads back as the same millisecond.
    FUZZ_REQUIRE(storage::from_unix_ms(storage::to_unix_ms(*t)) == *again);
}

void check_monitoring_time(std::string_view text) {
    auto t = adapters::parse_utc_iso8601(text);
    if (!t) {
        return;
    }
    auto again = adapters::parse_utc_iso8601(adapters::format_utc_iso8601(*t));
    FUZZ_REQUIRE(again.has_value());
    FUZZ_REQUIRE(*again == std::chrono::floor<std::chrono::seconds>(*t));
}

void check_canonical(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) {
        return;
    }
    // The plain canonical text is only hashed (plan digests): an overflowing number ("1e6666661" reads as infinity)
    // gives text that does not parse back. The stable form, which the audit log stores, reads back as itself.
    // Plan digests hash it: the same value always gives the same text.
    FUZZ_REQUIRE(storage::canonical_json(value) == storage::canonical_json(boost::json::value(value)));
    std::string stable = storage::stable_canonical_json(value);
    boost::json::value again = boost::json::parse(stable, ec);
    FUZZ_REQUIRE(!ec);
    FUZZ_REQUIRE(storage::canonical_json(again) == stable);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string_view line = text.substr(0, text.find('\n'));
    check_anchor(line);
    check_since(line);
    check_monitoring_time(line);
    check_canonical(text);
    return 0;
}
