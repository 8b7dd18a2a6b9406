// The BetterStack Uptime monitors adapter (docs/platforms.md §5.2).
#include "core/json_fields.hpp"
#include "adapters/betterstack.hpp"

#include "adapters/link_header.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr std::string_view monitors_endpoint = "GET /api/v2/monitors";


class betterstack_impl final : public betterstack_monitors {
public:
    betterstack_impl(betterstack_config config, std::string token, http_client& http)
        : config_(std::move(config)), token_(std::move(token)), http_(http) {}

    result<std::vector<monitor_state>> monitors() override {
        std::vector<monitor_state> out;
        std::string url = join_url(config_.api_url, "/monitors") + "?per_page=250";
        for (int page = 1;; ++page) {
            auto response = get(url);
            if (!response) {
                return std::unexpected(response.error());
            }
            auto body = parse_json(response->body, "BetterStack: " + std::string(monitors_endpoint));
            if (!body) {
                return std::unexpected(body.error());
            }
            const auto* obj = body->if_object();
            const auto* data = obj ? obj->if_contains("data") : nullptr;
            if (!data || !data->is_array()) {
                return bad_shape("no `data` array");
            }
            for (const auto& item : data->get_array()) {
                const auto* o = item.if_object();
                const auto* attributes = o ? o->if_contains("attributes") : nullptr;
                if (!attributes || !attributes->is_object()) {
                    return bad_shape("a monitor has no `attributes` object");
                }
                const auto& a = attributes->get_object();
                out.push_back(monitor_state{json_string(*o, "id"), json_string(a, "pronounceable_name"),
                                            json_string(a, "url"), json_string(a, "status"),
                                            json_string(a, "last_checked_at")});
            }
            // Pages are chained by absolute URLs in pagination.next, null on the last page (§5.2 [B3]).
            const auto* pagination = obj->if_contains("pagination");
            const auto* next = pagination && pagination->is_object() ? pagination->get_object().if_contains("next")
                                                                      : nullptr;
            if (!next || next->is_null()) {
                break;
            }
            if (!next->is_string()) {
                return bad_shape("pagination.next is neither a URL nor null");
            }
            const auto next_url = resolve_link_target(url, std::string_view(next->get_string()));
            if (!next_url || !same_origin(*next_url, config_.api_url)) {
                return fail(error_kind::bad_response, "BetterStack: " + std::string(monitors_endpoint) +
                                                          ": pagination.next points away from the configured "
                                                          "api_url; the token is not sent there");
            }
            if (page == max_pages || *next_url == url) {
                spdlog::warn("BetterStack: stopped paging monitors after {} pages ({} monitors)", page, out.size());
                break;
            }
            url = *next_url;
        }
        return out;
    }

private:
    std::unexpected<error> bad_shape(std::string_view what) const {
        return fail(error_kind::bad_response,
                    "BetterStack: " + std::string(monitors_endpoint) + ": " + std::string(what));
    }

    result<http_response> get(const std::string& url) {
        http_request request;
        request.url = url;
        request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
        spdlog::debug("BetterStack: {}", monitors_endpoint);
        auto response = http_.send(request);
        if (!response) {
            auto e = response.error();
            e.message = "BetterStack: " + e.message;
            spdlog::warn("{}", e.message);
            return std::unexpected(std::move(e));
        }
        if (response->status >= 200 && response->status < 300) {
            return response;
        }
        error e{error_kind::http_status, "", response->status, std::nullopt};
        switch (response->status) {
            case 401:
            case 403:
                e.kind = error_kind::auth;
                e.message = "BetterStack refused the token (" + std::to_string(response->status) +
                            "): check monitoring.betterstack.token_env";
                break;
            case 404:
                e.kind = error_kind::not_found;
                e.message = "BetterStack: " + std::string(monitors_endpoint) + " not found (404): check "
                            "monitoring.betterstack.api_url";
                break;
            case 429: e.kind = error_kind::rate_limited; e.message = "BetterStack rate limit reached"; break;
            default:
                e.message = "BetterStack: " + std::string(monitors_endpoint) + " answered " +
                            std::to_string(response->status);
        }
        spdlog::warn("{}", e.message);
        return std::unexpected(std::move(e));
    }

    betterstack_config config_;
    std::string token_;
    http_client& http_;
};

}  // namespace

std::unique_ptr<betterstack_monitors> make_betterstack_monitors(const betterstack_config& config, std::string token,
                                                                http_client& http) {
    return std::make_unique<betterstack_impl>(config, std::move(token), http);
}

}  // namespace opsbot::adapters
