#include "adapters/http_retry.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <random>
#include <string>

namespace opsbot::adapters {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; })) {
        long long seconds = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec != std::errc{} || end != value.data() + value.size()) {
            return std::nullopt;
        }
        // Cap absurd values at a day; the caller bounds the total wait anyway.
        return std::chrono::milliseconds(std::min(seconds, 86'400LL) * 1000);
    }
    // RFC 9110 §5.6.7 IMF-fixdate, the only date form senders may generate.
    std::tm tm{};
    const std::string text(value);
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    const std::time_t when_s = ::timegm(&tm);
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    // A date far off (year 2815) would overflow the clock's nanoseconds (found by fuzz/url): the past waits nothing,
    // and like an absurd delta, the future a day at most.
    if (when_s < now_s) {
        return std::chrono::milliseconds(0);
    }
    if (when_s - now_s > 86'400) {
        return std::chrono::milliseconds(86'400'000);
    }
    const auto when = std::chrono::system_clock::from_time_t(when_s);
    if (when <= now) {
        return std::chrono::milliseconds(0);
    }
    return std::chrono::ceil<std::chrono::milliseconds>(when - now);
}

std::chrono::milliseconds backoff_with_jitter(int retry, std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max) {
    std::chrono::milliseconds backoff = initial;
    for (int i = 1; i < retry && backoff < max; ++i) {
        backoff *= 2;
    }
    backoff = std::clamp(backoff, std::chrono::milliseconds(0), max);
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<long long> dist(backoff.count() / 2, backoff.count());
    return std::chrono::milliseconds(dist(rng));
}

}  // namespace opsbot::adapters
