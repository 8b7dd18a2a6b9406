#pragma once
// opsbot's metrics, named in one place (README "Operating opsbot", issue 15 item 1) and served on /metrics. Every
// label value is from a fixed vocabulary (envelope types, family and step-kind names, platform names, HTTP methods,
// outcome words): never a secret, an id or free text.

#include "metrics/registry.hpp"

#include <chrono>
#include <string_view>

namespace opsbot::metrics {

struct opsbot_metrics {
    counter_family& envelopes_received;    ///< {type}
    counter_family& envelopes_acked;       ///< {type}
    histogram_family& ack_latency;         ///< envelope read -> ack written, seconds
    counter_family& socket_connections;    ///< Socket Mode links opened
    counter_family& socket_reconnects;     ///< {reason}: a replacement link became current
    counter_family& actions;               ///< {family,state}: final states
    histogram_family& step_duration;       ///< {kind}, seconds
    counter_family& platform_calls;        ///< {platform,operation,outcome}
    histogram_family& platform_call_duration;  ///< {platform,operation}, seconds
    gauge_family& locks_held;
    gauge_family& audit_head_sequence;
    gauge_family& watches_running;
    gauge_family& build_info;  ///< {version,commit,build_type} 1
};

/// The process's registry; opsbot() registers every family in it on first use.
registry& default_registry();
const opsbot_metrics& opsbot();

/// The counters of one envelope type, looked up once: "slash_commands", "interactive", "events_api", or "other"
/// for anything else Slack sends (a type is a label only if the bot knows it).
struct envelope_meters {
    counter& received;
    counter& acked;
};
const envelope_meters& envelope_meters_for(std::string_view type);

/// Seconds since `start`, for the histograms.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Runs one step and records its duration under its kind (bot/actions/step_loop.cpp).
template <class run>
auto timed_step(std::string_view kind, run&& body) {
    const auto start = std::chrono::steady_clock::now();
    auto outcome = body();
    opsbot().step_duration.with({std::string(kind)}).observe(seconds_since(start));
    return outcome;
}

/// An action reached a final state (bot/actions/report.cpp).
void action_finished(std::string_view family, std::string_view state);

/// opsbot_build_info{version,commit,build_type} 1, once at start (bot/cli.cpp).
void set_build_info(std::string_view version, std::string_view commit, std::string_view build_type);

}  // namespace opsbot::metrics
