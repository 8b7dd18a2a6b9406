// Every platform adapter against its fake answering 429 + Retry-After + rate-limit headers, the way the real
// services refuse a request over their limit (issue 16 item 5; docs/platforms.md). The waits go to the client's
// injected sleep, so nothing here sleeps: the test reads the waits the adapter asked for.
#include "adapters/betterstack.hpp"
#include "adapters/github.hpp"
#include "adapters/railway.hpp"
#include "adapters/secret_provider.hpp"
#include "adapters/sentry.hpp"
#include "adapters/vercel.hpp"
#include "core/clock.hpp"
#include "tests/support/fake_betterstack.hpp"
#include "tests/support/fake_github.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/fake_resend.hpp"
#include "tests/support/fake_sentry.hpp"
#include "tests/support/fake_vercel.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <mutex>

using namespace opsbot;
using namespace opsbot::adapters;
using namespace std::chrono_literals;

namespace {

/// An HTTP client whose waits are recorded instead of slept, with a time budget of `max_total`.
struct recorded_client {
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;
    std::unique_ptr<http_client> http;

    explicit recorded_client(std::chrono::milliseconds max_total = 60s) {
        http_options o;
        o.request_timeout = 5s;
        o.max_attempts = 3;
        o.max_total = max_total;
        o.initial_backoff = 10ms;
        o.sleep = [this](std::chrono::milliseconds d) {
            std::lock_guard lock(mutex);
            waits.push_back(d);
        };
        http = make_http_client(o);
    }
    std::vector<std::chrono::milliseconds> seen() {
        std::lock_guard lock(mutex);
        return waits;
    }
};

/// The outcome of one adapter call, without its value: what the rate-limit checks compare.
using call_outcome = result<void>;

template <typename T>
call_outcome outcome_of(const result<T>& r) {
    if (r) {
        return {};
    }
    return std::unexpected(r.error());
}

/// One adapter call against its fake, the fake's knobs and its request count.
struct adapter_case {
    std::string name;
    std::function<call_outcome(http_client&)> call;
    std::function<testing::fake_knobs&()> knobs;
    std::function<size_t()> requests;
};

/// A call rate-limited once with Retry-After: 3 is sent again after a wait of at least 3 s and succeeds.
void check_honours_retry_after(const adapter_case& c) {
    INFO(c.name);
    recorded_client plain;
    REQUIRE(c.call(*plain.http));
    const size_t per_call = c.requests();

    recorded_client limited;
    c.knobs().rate_limit_next(3);
    auto answered = c.call(*limited.http);
    REQUIRE(answered);
    const auto waits = limited.seen();
    REQUIRE(waits.size() == 1);
    CHECK(waits[0] >= 3000ms);
    CHECK(c.requests() == 2 * per_call + 1);  // the refused request, once more, then the rest of the call
}

/// A Retry-After beyond the client's time budget is not waited for: rate_limited at once, the wait named.
void check_gives_up_beyond_budget(const adapter_case& c) {
    INFO(c.name);
    recorded_client budget(2s);
    const size_t before = c.requests();
    c.knobs().rate_limit_next(30);
    auto answered = c.call(*budget.http);
    REQUIRE_FALSE(answered);
    CHECK(answered.error().kind == error_kind::rate_limited);
    REQUIRE(answered.error().retry_after.has_value());
    CHECK(*answered.error().retry_after >= 29s);  // a date-based header may lose a second; ours says 30
    CHECK(budget.seen().empty());
    CHECK(c.requests() == before + 1);
}

service_config vercel_service(const testing::fake_vercel& fake) {
    service_config s;
    s.name = "web";
    s.platform = platform_kind::vercel;
    s.api_url = fake.base_url();
    s.project_id = fake.settings().project_id;
    s.team_id = fake.settings().team_id;
    return s;
}

secret_config secret_for(const std::string& generate, std::string name, std::map<std::string, std::string> provider) {
    secret_config s;
    s.generate = parse_generator(generate).value();
    s.name = std::move(name);
    s.provider = std::move(provider);
    return s;
}

/// One fake per platform, and one call of each adapter against it.
struct platforms {
    testing::fake_vercel vercel;
    testing::fake_railway railway;
    testing::fake_sentry sentry;
    testing::fake_betterstack betterstack;
    testing::fake_github github;
    testing::fake_resend resend;
    testing::fake_openai openai;
    testing::fake_posthog posthog;
    manual_clock clk;

    std::vector<adapter_case> cases() {
        return {
            {"vercel",
             [&](http_client& http) {
                 return outcome_of(make_vercel_platform(vercel_service(vercel), vercel.settings().token, http)
                                       ->list_production_deployments(5));
             },
             [&]() -> testing::fake_knobs& { return vercel.knobs(); }, [&] { return vercel.requests().size(); }},
            {"railway",
             [&](http_client& http) {
                 return outcome_of(
                     make_railway_platform(railway.service(), railway.settings().token, http)->list_deployments("production", 5));
             },
             [&]() -> testing::fake_knobs& { return railway.knobs(); }, [&] { return railway.requests().size(); }},
            {"sentry",
             [&](http_client& http) {
                 sentry_config c;
                 c.api_url = sentry.api_url();
                 c.org = "acme";
                 c.project = "2";
                 return outcome_of(
                     make_sentry_issues(c, sentry.token(), http, &clk)->new_issues_since(clk.now() - 1h, "production"));
             },
             [&]() -> testing::fake_knobs& { return sentry.knobs(); }, [&] { return sentry.requests().size(); }},
            {"betterstack",
             [&](http_client& http) {
                 betterstack_config c;
                 c.api_url = betterstack.api_url();
                 return outcome_of(make_betterstack_monitors(c, betterstack.token(), http)->monitors());
             },
             [&]() -> testing::fake_knobs& { return betterstack.knobs(); },
             [&] { return betterstack.requests().size(); }},
            {"github",
             [&](http_client& http) {
                 github_config c;
                 c.api_url = github.api_url();
                 c.repo = "acme/app";
                 return outcome_of(make_github_ci(c, github.token(), http, &clk)->branch_status("main"));
             },
             [&]() -> testing::fake_knobs& { return github.knobs(); }, [&] { return github.requests().size(); }},
            {"resend",
             [&](http_client& http) {
                 return outcome_of(make_resend_provider(secret_for("resend", "RESEND_API_KEY", {{"api_url", resend.base_url()}}),
                                                        resend.settings().admin_token, http)
                                       ->existing_key_ids());
             },
             [&]() -> testing::fake_knobs& { return resend.knobs(); }, [&] { return resend.requests().size(); }},
            {"openai",
             [&](http_client& http) {
                 auto secret = secret_for("openai", "OPENAI_API_KEY",
                                          {{"api_url", openai.base_url()}, {"project_id", openai.settings().project_id}});
                 return outcome_of(make_openai_provider(secret, openai.settings().admin_key, http)->existing_key_ids());
             },
             [&]() -> testing::fake_knobs& { return openai.knobs(); }, [&] { return openai.requests().size(); }},
            {"posthog",
             [&](http_client& http) {
                 auto secret = secret_for("posthog", "POSTHOG_API_KEY",
                                          {{"api_url", posthog.base_url()}, {"project_id", posthog.settings().project_id}});
                 // Its one call is the token reset (a PATCH): a 429 is a refusal before acting, so it is resent.
                 return outcome_of(make_posthog_provider(secret, posthog.settings().personal_key, http)
                                       ->create_key("opsbot-rate-limit"));
             },
             [&]() -> testing::fake_knobs& { return posthog.knobs(); }, [&] { return posthog.requests().size(); }},
        };
    }
};

}  // namespace

TEST_CASE("rate limits: every platform adapter waits the Retry-After its platform sent, then succeeds",
          "[rate_limit]") {
    platforms p;
    for (const auto& c : p.cases()) {
        SECTION(c.name) {
            check_honours_retry_after(c);
        }
    }
}

TEST_CASE("rate limits: a Retry-After beyond the time budget gives rate_limited at once, on every platform",
          "[rate_limit]") {
    platforms p;
    for (const auto& c : p.cases()) {
        SECTION(c.name) {
            check_gives_up_beyond_budget(c);
        }
    }
}
