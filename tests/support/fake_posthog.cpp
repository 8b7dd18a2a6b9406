// Fake PostHog project token reset: docs/platforms.md §6 [K7].
#include "tests/support/fake_posthog.hpp"

#include "adapters/secret_provider.hpp"

#include <boost/json.hpp>

namespace opsbot::testing {

namespace json = boost::json;

fake_posthog::fake_posthog() : fake_posthog(options{}) {}

fake_posthog::fake_posthog(options o) : options_(std::move(o)) {
    tokens_.push_back(options_.initial_token);
    start([this](const sim::request& r) { return handle(r); });
}

fake_posthog::~fake_posthog() {
    stop();
}

std::string fake_posthog::base_url() const {
    return server_url();
}

std::string fake_posthog::current_token() const {
    std::lock_guard lock(mutex_);
    return tokens_.back();
}

std::vector<std::string> fake_posthog::tokens() const {
    std::lock_guard lock(mutex_);
    return tokens_;
}

sim::response fake_posthog::error(int status, std::string type, std::string code, std::string detail,
                                  const std::string& bearer) const {
    if (echo_ && !bearer.empty()) {
        detail += " (key " + bearer + ")";
    }
    return sim::response::json(
        status,
        json::object{
            {"type", std::move(type)}, {"code", std::move(code)}, {"detail", std::move(detail)}, {"attr", nullptr}});
}

sim::response fake_posthog::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    const std::string bearer = bearer_of(r);
    const std::string prefix = "/api/projects/";
    const std::string suffix = "/reset_token/";
    std::lock_guard lock(mutex_);
    const auto record = [&](int status) {
        fake_provider_base::record("create", status < 300 ? "project-" + options_.project_id : "", status);
    };
    if (r.method != "PATCH" || !r.path.starts_with(prefix) || !r.path.ends_with(suffix) ||
        r.path.size() <= prefix.size() + suffix.size()) {
        return error(404, "invalid_request", "not_found", "Not found.", "");
    }
    if (bearer != options_.personal_key) {
        record(401);
        return error(401, "authentication_error", "authentication_failed", "Personal API key is invalid.", bearer);
    }
    const auto project = r.path.substr(prefix.size(), r.path.size() - prefix.size() - suffix.size());
    if (project != options_.project_id) {
        record(404);
        return error(404, "invalid_request", "not_found", "Not found.", "");
    }
    if (auto status = failures_.take("create")) {
        record(*status);
        return error(*status, *status >= 500 ? "server_error" : "invalid_request", "error",
                     "The request failed (fake knob).", bearer);
    }
    tokens_.push_back("phc_" + adapters::random_hex(20));
    record(200);
    // The answer is the project, with the new token in api_token (docs/platforms.md §6).
    return sim::response::json(200, json::object{{"id", std::stoll(options_.project_id)},
                                                 {"uuid", "0189a6b2-0000-0000-0000-000000000000"},
                                                 {"name", "Default project"},
                                                 {"api_token", tokens_.back()}});
}

}  // namespace opsbot::testing
