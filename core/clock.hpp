#pragma once

#include <atomic>
#include <chrono>

namespace opsbot {

/// Wall-clock time, injected so that tests move time instead of sleeping (Envoy style).
class clock {
public:
    using time_point = std::chrono::system_clock::time_point;
    virtual ~clock() = default;
    virtual time_point now() const = 0;
};

class system_clock final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that only moves when told to. Thread-safe.
class manual_clock final : public clock {
public:
    explicit manual_clock(time_point start = time_point{std::chrono::seconds{1'790'000'000}}) : now_(start.time_since_epoch().count()) {}
    time_point now() const override { return time_point{time_point::duration{now_.load()}}; }
    void advance(std::chrono::system_clock::duration d) { now_ += d.count(); }
    void set(time_point t) { now_ = t.time_since_epoch().count(); }

private:
    std::atomic<time_point::rep> now_;
};

}  // namespace opsbot
