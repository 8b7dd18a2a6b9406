#pragma once
// A small metrics registry rendered in the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/). Counters and gauges are atomics; a histogram
// series takes a short lock per observation so a scrape sees its buckets, sum and count agree. Looking a labelled
// series up takes the family's lock once; hot paths keep the reference (series never move or go away).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::metrics {

using label_values = std::vector<std::string>;

class counter {
public:
    void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class histogram {
public:
    explicit histogram(const std::vector<double>& bounds) : bounds_(bounds), counts_(bounds.size() + 1, 0) {}
    void observe(double value);

    struct snapshot {
        std::vector<std::uint64_t> cumulative;  ///< one per bound, then +Inf (== count)
        double sum = 0;
        std::uint64_t count = 0;
    };
    snapshot read() const;

private:
    const std::vector<double>& bounds_;  ///< the family's, which outlives its series
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> counts_;  ///< per bucket, not cumulative; the last is above every bound
    double sum_ = 0;
};

/// One metric name with its help text, label names and series; rendered in the registry's order.
class family {
public:
    family(std::string name, std::string help, std::vector<std::string> label_names)
        : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
    virtual ~family() = default;
    family(const family&) = delete;
    family& operator=(const family&) = delete;

    const std::string& name() const { return name_; }
    virtual void render(std::string& out) const = 0;

protected:
    void render_header(std::string& out, std::string_view type) const;
    /// `{a="x",b="y"}` (plus one extra label, for a histogram's le), or nothing without labels.
    void render_labels(std::string& out, const label_values& values, std::string_view extra_name = {},
                       std::string_view extra_value = {}) const;
    void check_arity(const label_values& values) const;

    std::string name_;
    std::string help_;
    std::vector<std::string> label_names_;
    mutable std::mutex mutex_;
};

template <class series>
class family_of : public family {
public:
    using family::family;

protected:
    template <class... args>
    series& find_or_add(const label_values& values, args&&... extra) {
        check_arity(values);
        std::lock_guard lock(mutex_);
        auto it = series_.find(values);
        if (it == series_.end()) {
            it = series_.emplace(values, std::make_unique<series>(std::forward<args>(extra)...)).first;
        }
        return *it->second;
    }
    std::map<label_values, std::unique_ptr<series>> series_;
};

class counter_family final : public family_of<counter> {
public:
    using family_of::family_of;
    counter& with(const label_values& values = {}) { return find_or_add(values); }
    void render(std::string& out) const override;
};

class gauge_family final : public family_of<gauge> {
public:
    using family_of::family_of;
    gauge& with(const label_values& values = {}) { return find_or_add(values); }
    void render(std::string& out) const override;
};

class histogram_family final : public family_of<histogram> {
public:
    /// `bounds`: the buckets' upper bounds, increasing; +Inf is added when rendering.
    histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds);
    histogram& with(const label_values& values = {}) { return find_or_add(values, bounds_); }
    void render(std::string& out) const override;

private:
    std::vector<double> bounds_;
};

/// Families by name, rendered in the order they were added. Thread-safe.
class registry {
public:
    /// A family without labels has its one series from the start, so it is exposed as 0 before it moves.
    counter_family& add_counter(std::string name, std::string help, std::vector<std::string> label_names = {});
    gauge_family& add_gauge(std::string name, std::string help, std::vector<std::string> label_names = {});
    histogram_family& add_histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                    std::vector<double> bounds);

    /// The text exposition format 0.0.4: `# HELP`, `# TYPE`, then one line per sample.
    std::string render() const;

private:
    template <class f, class... args>
    f& add(args&&... a);

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<family>> families_;
};

/// The Content-Type of render()'s output.
inline constexpr std::string_view text_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// A label value as the text format needs it: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace opsbot::metrics
