#pragma once
// The floor of bench/ack_latency: the least a Socket Mode client can do. It opens a link like opsbot (the Web API's
// apps.connections.open, then the WebSocket), and acks every envelope the moment it is read, with one canned payload,
// on one thread: no parsing beyond finding the envelope id, no dedupe, no routing, no work after the ack.
#include <memory>
#include <string>

namespace opsbot::bench {

class floor_client {
public:
    /// Connects to the simulator's Web API at `api_url` ("http://127.0.0.1:PORT/api/") with `app_token`; acks
    /// with `{"envelope_id":…,"payload":<payload_json>}`. Serves on a thread of its own until destroyed.
    floor_client(const std::string& api_url, const std::string& app_token, std::string payload_json, int cpu);
    ~floor_client();
    /// The kernel's id of the thread that serves the link (for CPU accounting); 0 until it started.
    int thread_id() const;
    floor_client(const floor_client&) = delete;
    floor_client& operator=(const floor_client&) = delete;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace opsbot::bench
