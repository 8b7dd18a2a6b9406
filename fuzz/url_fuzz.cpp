// URLs and headers that come from outside: `Link` headers of paginated APIs (RFC 8288; GitHub, Sentry, BetterStack)
// and the next-page targets they name, request URLs (config and Link targets), `Retry-After` (RFC 9110 §10.2.3),
// and the percent-encoding of values the adapters put in paths. The input is the header or URL; where a function
// takes two, the part after the first newline is the second.
// Invariants: a parsed Link header written back parses to the same links; a parsed URL written back parses to the
// same parts; a resolved next-page path keeps the request's origin; percent_encode decodes back to its input and
// uses only unreserved characters; a Retry-After is never negative.

#include "adapters/http_client.hpp"
#include "adapters/http_retry.hpp"
#include "adapters/http_url.hpp"
#include "adapters/link_header.hpp"
#include "fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace opsbot::adapters;

std::string quoted(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

void check_link_header(std::string_view value) {
    auto links = parse_link_header(value);
    std::string again;
    for (const auto& link : links) {
        again += again.empty() ? "<" : ", <";
        again += link.target + ">";
        for (const auto& [name, param] : link.params) {
            again += "; " + name + "=" + quoted(param);
        }
    }
    auto reparsed = parse_link_header(again);
    FUZZ_REQUIRE(reparsed.size() == links.size());
    for (std::size_t i = 0; i < links.size(); ++i) {
        FUZZ_REQUIRE(reparsed[i].target == links[i].target);
        FUZZ_REQUIRE(reparsed[i].params == links[i].params);
    }
    // find_link gives the first link of that relation among those parsed.
    if (auto next = find_link(value, "next")) {
        FUZZ_REQUIRE(std::any_of(links.begin(), links.end(), [&](const auto& l) { return l.target == next->target; }));
    }
}

void check_request_url(std::string_view url) {
    auto parsed = parse_request_url(url);
    if (!parsed) {
        FUZZ_REQUIRE(!parsed.error().message.empty());
        return;
    }
    FUZZ_REQUIRE(!parsed->host.empty() && parsed->target.starts_with("/"));
    // Safe to show: the query (which may carry a token) is never part of it.
    FUZZ_REQUIRE(parsed->display().find('?') == std::string::npos);
    FUZZ_REQUIRE(!parsed->pool_key().empty());
    // Written back from its parts, it is the same request.
    std::string rebuilt = std::string(parsed->tls ? "https://" : "http://") + parsed->host_header() + parsed->target;
    auto again = parse_request_url(rebuilt);
    FUZZ_REQUIRE(again.has_value());
    FUZZ_REQUIRE(again->tls == parsed->tls && again->host == parsed->host && again->port == parsed->port &&
                 again->target == parsed->target);
    // same_origin compares host text: the client's form of an IPv6 literal ("[::]" for "[::0]") is the one to use.
    FUZZ_REQUIRE(same_origin(rebuilt, rebuilt));
}

int hex_value(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

void check_percent_encode(std::string_view text) {
    std::string encoded = percent_encode(text);
    std::string decoded;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        char c = encoded[i];
        if (c == '%') {
            FUZZ_REQUIRE(i + 2 < encoded.size());
            FUZZ_REQUIRE(std::isxdigit(static_cast<unsigned char>(encoded[i + 1])) &&
                         std::isxdigit(static_cast<unsigned char>(encoded[i + 2])));
            decoded += static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2]));
            i += 2;
            continue;
        }
        FUZZ_REQUIRE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~');
        decoded += c;
    }
    FUZZ_REQUIRE(decoded == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string_view first = text.substr(0, text.find('\n'));
    std::string_view second = first.size() < text.size() ? text.substr(first.size() + 1) : std::string_view{};

    check_link_header(text);
    check_request_url(first);
    check_percent_encode(text);
    if (is_loopback_host(first)) {
        FUZZ_REQUIRE(!first.empty());
    }
    // Joining keeps the base and the path, in that order.
    const std::string joined = join_url(first, second);
    FUZZ_REQUIRE(joined.size() <= first.size() + second.size() + 1);
    FUZZ_REQUIRE(same_origin(first, second) == same_origin(second, first));
    if (auto resolved = resolve_link_target(first, second)) {
        if (second.starts_with("/") && !second.starts_with("//")) {
            FUZZ_REQUIRE(same_origin(first, *resolved) || !parse_request_url(first));
        }
    }
    const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'790'000'000}};
    if (auto wait = parse_retry_after(first, now)) {
        FUZZ_REQUIRE(wait->count() >= 0);
    }
    return 0;
}
