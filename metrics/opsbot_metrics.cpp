#include "metrics/opsbot_metrics.hpp"

#include <array>
#include <string>

namespace opsbot::metrics {

namespace {

// Buckets (seconds) for what each histogram measures: acks are sub-millisecond to a few ms (bench/ack_latency),
// platform calls tens of ms to the HTTP client's deadlines, steps up to a migration's 15-minute timeout.
const std::vector<double> ack_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3};
const std::vector<double> call_buckets{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
const std::vector<double> step_buckets{0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};

opsbot_metrics make(registry& r) {
    return opsbot_metrics{
        r.add_counter("opsbot_envelopes_received_total", "Socket Mode envelopes received, duplicates included",
                      {"type"}),
        r.add_counter("opsbot_envelopes_acked_total", "Socket Mode envelopes whose ack was written", {"type"}),
        r.add_histogram("opsbot_ack_latency_seconds", "From an envelope read to its ack written", {}, ack_buckets),
        r.add_counter("opsbot_socket_connections_total", "Socket Mode connections opened"),
        r.add_counter("opsbot_socket_reconnects_total", "Replacement Socket Mode links, by why the previous one went",
                      {"reason"}),
        r.add_counter("opsbot_actions_total", "Actions that reached a final state", {"family", "state"}),
        r.add_histogram("opsbot_step_duration_seconds", "Time a step ran (a step waiting for a person is not timed)", {"kind"}, step_buckets),
        r.add_counter("opsbot_platform_calls_total", "HTTP calls to platforms (all attempts of one call count once)",
                      {"platform", "operation", "outcome"}),
        r.add_histogram("opsbot_platform_call_duration_seconds", "Time an HTTP call to a platform took, retries included",
                        {"platform", "operation"}, call_buckets),
        r.add_gauge("opsbot_locks_held", "Service locks held now (not expired)"),
        r.add_gauge("opsbot_audit_head_sequence", "Sequence number of the newest audit log entry"),
        r.add_gauge("opsbot_watches_running", "Post-deploy watches still watching"),
        r.add_gauge("opsbot_build_info", "The running build", {"version", "commit", "build_type"}),
    };
}

}  // namespace

registry& default_registry() {
    static registry r;
    return r;
}

const opsbot_metrics& opsbot() {
    static const opsbot_metrics m = make(default_registry());
    return m;
}

const envelope_meters& envelope_meters_for(std::string_view type) {
    static const std::array<std::string_view, 3> known{"slash_commands", "interactive", "events_api"};
    static const std::array<envelope_meters, 4> meters = [] {
        auto meter = [](std::string_view t) {
            return envelope_meters{opsbot().envelopes_received.with({std::string(t)}),
                                   opsbot().envelopes_acked.with({std::string(t)})};
        };
        return std::array<envelope_meters, 4>{meter(known[0]), meter(known[1]), meter(known[2]), meter("other")};
    }();
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (type == known[i]) {
            return meters[i];
        }
    }
    return meters[3];
}

void action_finished(std::string_view family, std::string_view state) {
    opsbot().actions.with({std::string(family), std::string(state)}).inc();
}

void set_build_info(std::string_view version, std::string_view commit, std::string_view build_type) {
    opsbot().build_info.with({std::string(version), std::string(commit), std::string(build_type)}).set(1);
}

}  // namespace opsbot::metrics
