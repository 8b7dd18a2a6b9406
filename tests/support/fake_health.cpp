#include "tests/support/fake_health.hpp"

#include <boost/json.hpp>

namespace opsbot::testing {

fake_health::fake_health() {
    set_checks("ok", "ok", "ok");
    server_ = std::make_unique<sim::http_server>(
        [this](const sim::request& r) { return knobs_.finish(r, handle(r)); });
}

fake_health::~fake_health() {
    knobs_.shut_down();
    server_->stop();
}

std::string fake_health::url() const { return server_->base_url() + "/health"; }

void fake_health::set_checks(std::string status, std::string db, std::string redis) {
    boost::json::object body{{"status", std::move(status)},
                             {"timestamp", "2026-11-27T10:00:00.000Z"},
                             {"checks", boost::json::object{{"db", std::move(db)}, {"redis", std::move(redis)}}}};
    set_answer(200, boost::json::serialize(body));
}

void fake_health::set_answer(int http_status, std::string body) {
    std::lock_guard lock(mutex_);
    status_ = http_status;
    body_ = std::move(body);
}

sim::response fake_health::handle(const sim::request& r) {
    if (auto canned = knobs_.intercept()) {
        return *canned;
    }
    if (r.method != "GET" || r.path != "/health") {
        return sim::response::text(404, "Not Found");
    }
    std::lock_guard lock(mutex_);
    sim::response response;
    response.status = status_;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = body_;
    return response;
}

}  // namespace opsbot::testing
