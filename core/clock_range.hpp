#pragma once

namespace opsbot {

/// Whether every instant of `year` fits a clock::time_point (core/clock.hpp: 64-bit nanoseconds since 1970, so
/// 1677-09-21 to 2262-04-11). Parsers of outside times refuse other years: converting one would overflow, which is
/// undefined behaviour (found by fuzz/audit_fuzz.cpp: `audit export --since 9999-12-31`, a Sentry firstSeen in 9999).
constexpr bool clock_holds_year(int year) { return year >= 1678 && year <= 2261; }

}  // namespace opsbot
