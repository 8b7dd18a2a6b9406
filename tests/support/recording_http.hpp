#pragma once

// An http_client that passes each request to a real one and keeps the request with its answer: the tests that
// check an adapter's traffic against the providers' published descriptions read it (issue 16 item 4).

#include "adapters/http_client.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::testing {

struct http_exchange {
    std::string method;
    std::string url;
    std::string body;
    int status = 0;       ///< 0 when no answer came
    std::string answer;
};

class recording_http : public adapters::http_client {
public:
    /// One attempt per request, 5 s each, no waits: a fake answers at once.
    recording_http();
    result<adapters::http_response> send(const adapters::http_request& request) override;
    std::vector<http_exchange> seen() const;

private:
    std::unique_ptr<adapters::http_client> inner_;
    mutable std::mutex mutex_;
    std::vector<http_exchange> seen_;
};

}  // namespace opsbot::testing
