// A recording http_client for the API-description tests (tests/support/recording_http.hpp).
#include "tests/support/recording_http.hpp"

namespace opsbot::testing {

recording_http::recording_http() {
    adapters::http_options o;
    o.request_timeout = std::chrono::seconds(5);
    o.max_attempts = 1;
    o.sleep = [](std::chrono::milliseconds) {};
    inner_ = adapters::make_http_client(o);
}

result<adapters::http_response> recording_http::send(const adapters::http_request& request) {
    auto answer = inner_->send(request);
    std::lock_guard lock(mutex_);
    seen_.push_back({request.method, request.url, request.body, answer ? answer->status : 0,
                     answer ? answer->body : std::string()});
    return answer;
}

std::vector<http_exchange> recording_http::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

}  // namespace opsbot::testing
