#include "storage/time_format.hpp"

#include "core/clock_range.hpp"

#include <fmt/format.h>

#include <cctype>
#include <chrono>

namespace opsbot::storage {
namespace {

// Reads exactly `width` digits at `pos`; nullopt if any is not a digit.
std::optional<int> digits(std::string_view text, size_t pos, size_t width) {
    if (pos + width > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (size_t i = pos; i < pos + width; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::unexpected<error> bad_time(std::string_view text) {
    return fail(error_kind::invalid_input,
                fmt::format("'{}' is not an ISO-8601 time (expected e.g. 2026-09-21 or 2026-09-21T12:00:00Z)",
                            text.substr(0, 64)));
}

}  // namespace

std::string format_iso8601_ms(clock::time_point t) {
    using namespace std::chrono;
    auto ms = floor<milliseconds>(t);
    auto day = floor<days>(ms);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> hms{ms - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

result<clock::time_point> parse_iso8601(std::string_view text) {
    using namespace std::chrono;
    auto y = digits(text, 0, 4);
    auto mo = digits(text, 5, 2);
    auto d = digits(text, 8, 2);
    if (!y || !mo || !d || text[4] != '-' || text[7] != '-') {
        return bad_time(text);
    }
    year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) {
        return bad_time(text);
    }
    if (!clock_holds_year(*y)) {
        return fail(error_kind::invalid_input,
                    fmt::format("'{}' is out of range: times from 1678 to 2261 only", text.substr(0, 64)));
    }
    sys_time<milliseconds> t = sys_days{ymd};
    if (text.size() == 10) {
        return clock::time_point{t};
    }
    auto h = digits(text, 11, 2);
    auto mi = digits(text, 14, 2);
    if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !h || !mi || text[13] != ':' || *h > 23 ||
        *mi > 59) {
        return bad_time(text);
    }
    t += hours{*h} + minutes{*mi};
    size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        auto s = digits(text, pos + 1, 2);
        if (!s || *s > 60) {
            return bad_time(text);
        }
        t += seconds{*s};
        pos += 3;
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
            ++pos;
            int scale = 100;
            size_t start = pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
                t += milliseconds{(text[pos] - '0') * scale};
                scale /= 10;
                ++pos;
            }
            if (pos == start) {
                return bad_time(text);
            }
        }
    }
    if (pos == text.size() - 1 && (text[pos] == 'Z' || text[pos] == 'z')) {
        return clock::time_point{t};
    }
    if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
        auto oh = digits(text, pos + 1, 2);
        auto om = digits(text, pos + 4, 2);
        if (!oh || !om || *oh > 23 || *om > 59) {
            return bad_time(text);
        }
        auto offset = hours{*oh} + minutes{*om};
        // "+02:00" means local time is ahead of UTC, so UTC is earlier.
        t += text[pos] == '+' ? -offset : offset;
        return clock::time_point{t};
    }
    return bad_time(text);
}

std::int64_t to_unix_ms(clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

clock::time_point from_unix_ms(std::int64_t ms) {
    // A stored time beyond what the clock can hold (about ±292 years around 1970 in nanoseconds: e.g. a lock
    // written to "never" expire) reads as the clock's end, never as an overflow.
    constexpr auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(clock::time_point::duration::max()).count();
    if (ms >= limit) {
        return clock::time_point::max();
    }
    if (ms <= -limit) {
        return clock::time_point::min();
    }
    return clock::time_point{std::chrono::duration_cast<clock::time_point::duration>(std::chrono::milliseconds{ms})};
}

}  // namespace opsbot::storage
