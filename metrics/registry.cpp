#include "metrics/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace opsbot::metrics {

namespace {

// The text format's numbers: Go's ParseFloat syntax, with +Inf, -Inf and NaN spelled so.
std::string number(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    return fmt::format("{}", v);
}

// HELP text escapes backslash and newline only (the format's rule; quotes stay).
std::string escape_help(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void histogram::observe(double value) {
    const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                                 bounds_.begin());  // le: value <= bound
    std::lock_guard lock(mutex_);
    ++counts_[bucket];
    sum_ += value;
}

histogram::snapshot histogram::read() const {
    snapshot s;
    std::lock_guard lock(mutex_);
    std::uint64_t running = 0;
    for (auto c : counts_) {
        running += c;
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = sum_;
    return s;
}

void family::render_header(std::string& out, std::string_view type) const {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escape_help(help_), name_, type);
}

void family::render_labels(std::string& out, const label_values& values, std::string_view extra_name,
                           std::string_view extra_value) const {
    if (values.empty() && extra_name.empty()) {
        return;
    }
    out += '{';
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", label_names_[i], escape_label_value(values[i]));
    }
    if (!extra_name.empty()) {
        out += fmt::format("{}{}=\"{}\"", values.empty() ? "" : ",", extra_name, extra_value);
    }
    out += '}';
}

void family::check_arity(const label_values& values) const {
    if (values.size() != label_names_.size()) {
        // A bug in the caller, found by the first test that reaches it.
        throw std::logic_error(fmt::format("metric {}: {} label values for {} labels", name_, values.size(),
                                           label_names_.size()));
    }
}

void counter_family::render(std::string& out) const {
    render_header(out, "counter");
    std::lock_guard lock(mutex_);
    for (const auto& [values, c] : series_) {
        out += name_;
        render_labels(out, values);
        out += fmt::format(" {}\n", c->value());
    }
}

void gauge_family::render(std::string& out) const {
    render_header(out, "gauge");
    std::lock_guard lock(mutex_);
    for (const auto& [values, g] : series_) {
        out += name_;
        render_labels(out, values);
        out += fmt::format(" {}\n", number(g->value()));
    }
}

histogram_family::histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                   std::vector<double> bounds)
    : family_of(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::logic_error("metric " + name_ + ": histogram bounds must increase");
    }
}

void histogram_family::render(std::string& out) const {
    render_header(out, "histogram");
    std::lock_guard lock(mutex_);
    for (const auto& [values, h] : series_) {
        const auto s = h->read();
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            out += name_ + "_bucket";
            render_labels(out, values, "le", i < bounds_.size() ? number(bounds_[i]) : "+Inf");
            out += fmt::format(" {}\n", s.cumulative[i]);
        }
        out += name_ + "_sum";
        render_labels(out, values);
        out += fmt::format(" {}\n", number(s.sum));
        out += name_ + "_count";
        render_labels(out, values);
        out += fmt::format(" {}\n", s.count);
    }
}

template <class f, class... args>
f& registry::add(args&&... a) {
    auto made = std::make_unique<f>(std::forward<args>(a)...);
    f& out = *made;
    std::lock_guard lock(mutex_);
    for (const auto& existing : families_) {
        if (existing->name() == out.name()) {
            throw std::logic_error("metric " + out.name() + " is registered twice");
        }
    }
    families_.push_back(std::move(made));
    return out;
}

counter_family& registry::add_counter(std::string name, std::string help, std::vector<std::string> label_names) {
    const bool plain = label_names.empty();
    auto& f = add<counter_family>(std::move(name), std::move(help), std::move(label_names));
    if (plain) {
        f.with();
    }
    return f;
}

gauge_family& registry::add_gauge(std::string name, std::string help, std::vector<std::string> label_names) {
    const bool plain = label_names.empty();
    auto& f = add<gauge_family>(std::move(name), std::move(help), std::move(label_names));
    if (plain) {
        f.with();
    }
    return f;
}

histogram_family& registry::add_histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
    const bool plain = label_names.empty();
    auto& f = add<histogram_family>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
    if (plain) {
        f.with();
    }
    return f;
}

std::string registry::render() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& f : families_) {
        f->render(out);
    }
    return out;
}

}  // namespace opsbot::metrics
