#pragma once
// p50, p99 and max of a set of latencies, as every benchmark here prints them.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace opsbot::bench {

struct summary {
    double p50 = 0, p99 = 0, max = 0;
};

/// Nearest-rank percentiles; all zero for no samples.
inline summary summarise(std::vector<double> v) {
    if (v.empty()) {
        return {};
    }
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
    };
    return {at(0.50), at(0.99), v.back()};
}

}  // namespace opsbot::bench
