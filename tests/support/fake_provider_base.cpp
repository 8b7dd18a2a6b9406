// Shared plumbing of the secret-provider fakes.
#include "tests/support/fake_provider_base.hpp"

namespace opsbot::testing {

std::vector<fake_key_call> fake_provider_base::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

void fake_provider_base::echo_secrets_in_errors(bool on) {
    std::lock_guard lock(mutex_);
    echo_ = on;
}

std::vector<sim::request> fake_provider_base::requests() const {
    return server_->requests();
}

void fake_provider_base::start(std::function<sim::response(const sim::request&)> handler) {
    server_ = std::make_unique<sim::http_server>(
        [this, handler = std::move(handler)](const sim::request& r) { return knobs_.finish(r, handler(r)); });
}

void fake_provider_base::stop() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_provider_base::server_url() const {
    return server_->base_url();
}

void fake_provider_base::record(const std::string& kind, const std::string& key_id, int status) {
    calls_.push_back({next_fake_sequence(), kind, key_id, status});
}

std::string fake_provider_base::bearer_of(const sim::request& r) {
    const auto auth = r.header("Authorization").value_or("");
    return auth.starts_with("Bearer ") ? auth.substr(7) : "";
}

}  // namespace opsbot::testing
