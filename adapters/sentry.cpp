// The Sentry issues adapter (docs/platforms.md §5.1).
#include "core/json_fields.hpp"
#include "adapters/sentry.hpp"
#include "core/clock_range.hpp"

#include "adapters/link_header.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace opsbot::adapters {

namespace json = boost::json;

namespace {

constexpr std::string_view issues_endpoint = "GET /api/0/organizations/{org}/issues/";



template <class Int>
bool parse_int(std::string_view text, Int& out) {
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && p == text.data() + text.size();
}

// `count` is a string, `userCount` a number (docs/platforms.md §5.1); accept either form for both.
bool int_field(const json::object& o, std::string_view key, std::int64_t& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        out = 0;
        return true;
    }
    if (v->is_int64()) {
        out = v->get_int64();
        return true;
    }
    if (v->is_uint64()) {
        out = static_cast<std::int64_t>(v->get_uint64());
        return true;
    }
    return v->is_string() && parse_int(std::string_view(v->get_string()), out);
}

bool valid_slug(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

class sentry_impl final : public sentry_issues {
public:
    sentry_impl(sentry_config config, std::string token, http_client& http, const clock* clk)
        : config_(std::move(config)), token_(std::move(token)), http_(http), clock_(clk ? clk : &system_clock_) {}

    result<sentry_issue_list> new_issues_since(clock::time_point since, const std::string& environment) override {
        if (!valid_slug(config_.org)) {
            return fail(error_kind::invalid_input, "Sentry: monitoring.sentry.org `" + config_.org + "` is not a slug");
        }
        if (!valid_slug(config_.project)) {
            return fail(error_kind::invalid_input,
                        "Sentry: monitoring.sentry.project `" + config_.project + "` is not an id or slug");
        }
        if (environment.empty() || environment.size() > 64 ||
            std::any_of(environment.begin(), environment.end(), [](unsigned char c) { return c < 0x21; })) {
            return fail(error_kind::invalid_input, "Sentry: `" + environment + "` is not an environment name");
        }
        std::string url = first_page_url(since, environment);
        sentry_issue_list out;
        for (int page = 1;; ++page) {
            auto response = get(url);
            if (!response) {
                return std::unexpected(response.error());
            }
            auto body = parse_json(response->body, "Sentry: " + std::string(issues_endpoint));
            if (!body) {
                return std::unexpected(body.error());
            }
            if (!body->is_array()) {
                return bad_shape("expected a JSON array of issues");
            }
            for (const auto& item : body->get_array()) {
                auto issue = parse_issue(item);
                if (!issue) {
                    return std::unexpected(issue.error());
                }
                // Defence: the search term already asks for firstSeen >= since; never trust it alone.
                if (issue->first_seen >= since) {
                    out.issues.push_back(std::move(*issue));
                }
            }
            // Both cursors are always present; follow next only while results="true" (docs/platforms.md §5.1 [S8]).
            const auto link = response->header("Link");
            const auto next = link ? find_link(*link, "next") : std::nullopt;
            if (!next || next->param("results") != "true") {
                break;
            }
            auto next_url = resolve_link_target(url, next->target);
            if (!next_url || !same_origin(*next_url, config_.api_url)) {
                return fail(error_kind::bad_response, "Sentry: " + std::string(issues_endpoint) +
                                                          ": the next-page link leaves the configured api_url; "
                                                          "the token is not sent there");
            }
            if (page == max_pages) {
                out.truncated = true;
                spdlog::warn("Sentry: more than {} pages of new issues for {}; reporting the first {}", max_pages,
                             config_.org, out.issues.size());
                break;
            }
            url = std::move(*next_url);
        }
        return out;
    }

private:
    std::string first_page_url(clock::time_point since, const std::string& environment) const {
        const auto now = clock_->now();
        std::string query = "firstSeen:>=" + format_utc_iso8601(since) + " is:unresolved";
        std::string project_param;
        // The organisation endpoint filters by numeric project id; a slug goes into the search instead.
        if (all_digits(config_.project)) {
            project_param = "project=" + config_.project + "&";
        } else {
            query += " project:" + config_.project;
        }
        return join_url(config_.api_url, "/organizations/" + config_.org + "/issues/") + "?" + project_param +
               "environment=" + percent_encode(environment) + "&query=" + percent_encode(query) +
               "&start=" + percent_encode(format_utc_iso8601(std::min(since, now))) +
               "&end=" + percent_encode(format_utc_iso8601(now));
    }

    result<sentry_issue> parse_issue(const json::value& item) const {
        if (!item.is_object()) {
            return bad_shape("an issue is not an object");
        }
        const auto& o = item.get_object();
        sentry_issue issue;
        issue.id = json_string(o, "id");
        issue.short_id = json_string(o, "shortId");
        issue.title = json_string(o, "title");
        issue.culprit = json_string(o, "culprit");
        issue.permalink = json_string(o, "permalink");
        issue.level = json_string(o, "level");
        issue.status = json_string(o, "status");
        if (issue.id.empty()) {
            return bad_shape("an issue has no id");
        }
        if (!int_field(o, "count", issue.count) || !int_field(o, "userCount", issue.user_count)) {
            return bad_shape("issue " + issue.id + " has a non-numeric count or userCount");
        }
        const auto first = parse_utc_iso8601(json_string(o, "firstSeen"));
        if (!first) {
            return bad_shape("issue " + issue.id + " has no valid firstSeen");
        }
        issue.first_seen = *first;
        issue.last_seen = parse_utc_iso8601(json_string(o, "lastSeen")).value_or(*first);
        return issue;
    }

    std::unexpected<error> bad_shape(std::string_view what) const {
        return fail(error_kind::bad_response, "Sentry: " + std::string(issues_endpoint) + ": " + std::string(what));
    }

    result<http_response> get(const std::string& url) {
        http_request request;
        request.url = url;
        request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
        spdlog::debug("Sentry: {} for {}", issues_endpoint, config_.org);
        auto response = http_.send(request);
        if (!response) {
            auto e = response.error();
            e.message = "Sentry: " + e.message;
            spdlog::warn("{}", e.message);
            return std::unexpected(std::move(e));
        }
        if (response->status >= 200 && response->status < 300) {
            return response;
        }
        auto e = status_error(*response);
        spdlog::warn("{}", e.message);
        return std::unexpected(std::move(e));
    }

    error status_error(const http_response& r) const {
        std::string detail;
        boost::system::error_code ec;
        if (auto body = json::parse(r.body, ec); !ec && body.is_object()) {
            detail = json_string(body.get_object(), "detail");
        }
        switch (r.status) {
            case 401:
                return error{error_kind::auth, "Sentry refused the token (401): check monitoring.sentry.token_env",
                             401, std::nullopt};
            case 403:
                return error{error_kind::auth,
                             "Sentry refused access to organization `" + config_.org +
                                 "` (403): the token needs the event:read scope",
                             403, std::nullopt};
            case 404:
                return error{error_kind::not_found,
                             "Sentry: organization `" + config_.org + "` or project `" + config_.project +
                                 "` not found (404)",
                             404, std::nullopt};
            case 429: {
                // X-Sentry-Rate-Limit-Reset is an epoch in seconds (docs/platforms.md §5.1 [S9]).
                error e{error_kind::rate_limited, "Sentry rate limit reached", 429, std::nullopt};
                std::int64_t reset = 0;
                if (auto h = r.header("X-Sentry-Rate-Limit-Reset"); h && parse_int(std::string_view(*h), reset)) {
                    const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_->now().time_since_epoch());
                    e.retry_after = std::chrono::seconds(std::max<std::int64_t>(0, reset - now.count()));
                }
                return e;
            }
            default:
                return error{error_kind::http_status,
                             "Sentry: " + std::string(issues_endpoint) + " answered " + std::to_string(r.status) +
                                 (detail.empty() ? "" : ": " + detail),
                             r.status, std::nullopt};
        }
    }

    sentry_config config_;
    std::string token_;
    http_client& http_;
    system_clock system_clock_;
    const clock* clock_;
};

}  // namespace

std::string format_utc_iso8601(clock::time_point t) {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    const auto day = std::chrono::floor<std::chrono::days>(secs);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{secs - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count());
}

std::optional<clock::time_point> parse_utc_iso8601(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    int y = 0;
    unsigned mo = 0, d = 0;
    int h = 0, mi = 0, s = 0;
    if (!parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5, 2), mo) || !parse_int(text.substr(8, 2), d) ||
        !parse_int(text.substr(11, 2), h) || !parse_int(text.substr(14, 2), mi) ||
        !parse_int(text.substr(17, 2), s) || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
    // A year the clock cannot hold ("9999-…", "-001-…") would overflow in the conversion below.
    if (!ymd.ok() || !clock_holds_year(y)) {
        return std::nullopt;
    }
    size_t i = 19;
    std::chrono::microseconds fraction{0};
    if (i < text.size() && text[i] == '.') {
        ++i;
        long long scale = 100000;
        const size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            fraction += std::chrono::microseconds((text[i] - '0') * scale);
            scale /= 10;
            ++i;
        }
        if (i == start) {
            return std::nullopt;
        }
    }
    std::chrono::minutes offset{0};
    const auto zone = text.substr(i);
    if (zone == "Z" || zone == "z") {
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        int oh = 0, om = 0;
        if (!parse_int(zone.substr(1, 2), oh) || !parse_int(zone.substr(4, 2), om)) {
            return std::nullopt;
        }
        offset = std::chrono::minutes(oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    const auto t = std::chrono::sys_days{ymd} + std::chrono::hours(h) + std::chrono::minutes(mi) +
                   std::chrono::seconds(s) + fraction - offset;
    return std::chrono::time_point_cast<clock::time_point::duration>(t);
}

std::unique_ptr<sentry_issues> make_sentry_issues(const sentry_config& config, std::string token, http_client& http,
                                                  const clock* clk) {
    return std::make_unique<sentry_impl>(config, std::move(token), http, clk);
}

}  // namespace opsbot::adapters
