#pragma once

#include "sim/http_server.hpp"
#include "tests/support/fake_platform_knobs.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A monitor as the fake serves it (docs/platforms.md §5.2, §7).
struct fake_monitor {
    std::string id;
    std::string name;  ///< pronounceable_name
    std::string url;
    std::string status = "up";  ///< paused | pending | maintenance | up | validating | down
    std::string last_checked_at = "2026-11-26T10:00:00.000Z";
};

/// GET /api/v2/monitors of BetterStack Uptime: page/per_page (default 50, max 250) with JSON:API
/// `pagination{first,last,prev,next}` absolute URLs pointing back at this fake (§5.2 [B3]).
/// Wrong token -> 401 {"errors":…}. Thread-safe.
class fake_betterstack {
public:
    explicit fake_betterstack(std::string token = "bs_fake_token_0123456789");
    ~fake_betterstack();
    fake_betterstack(const fake_betterstack&) = delete;
    fake_betterstack& operator=(const fake_betterstack&) = delete;

    /// Base URL for betterstack_config::api_url ("http://127.0.0.1:PORT/api/v2/").
    std::string api_url() const;
    /// "http://127.0.0.1:PORT", the origin of this fake.
    std::string origin() const { return server_->base_url(); }
    const std::string& token() const { return token_; }

    void set_monitors(std::vector<fake_monitor> monitors);
    /// At most this many monitors per page, whatever per_page asks.
    void set_page_size(int n);
    /// Pagination URLs use this origin instead of the fake's own (a hostile or misconfigured next link).
    void set_link_origin(std::string origin);

    fake_knobs& knobs() { return knobs_; }
    std::vector<sim::request> requests() const { return server_->requests(); }

private:
    sim::response handle(const sim::request& request);

    std::string token_;
    mutable std::mutex mutex_;
    std::vector<fake_monitor> monitors_;
    int page_size_ = 250;
    std::string link_origin_;
    fake_knobs knobs_;
    std::unique_ptr<sim::http_server> server_;
};

}  // namespace opsbot::testing
