// What the monitoring and secret-provider APIs and a service's /health answer (docs/platforms.md §3–§6, runbook §7):
// Sentry, BetterStack, GitHub, OpenAI, Resend and PostHog through the real adapters over a canned client
// (fuzz/canned_http.hpp), and the /health judge. The first byte picks the call, the rest are the answers.
// Invariants: nothing throws (every call returns result<>); an error carries a message; a health report is ok only
// for HTTP 200 and says why when it is not.

#include "adapters/betterstack.hpp"
#include "adapters/github.hpp"
#include "adapters/health.hpp"
#include "adapters/secret_provider.hpp"
#include "adapters/sentry.hpp"
#include "core/clock.hpp"
#include "fuzz/canned_http.hpp"
#include "fuzz/fuzz_check.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace opsbot;
using namespace opsbot::adapters;

template <typename T>
void check(const result<T>& r) {
    if (!r) {
        FUZZ_REQUIRE(!r.error().message.empty());
    }
}

void check_health(const health_report& report) {
    if (report.ok) {
        FUZZ_REQUIRE(report.http_status == 200);
    } else {
        FUZZ_REQUIRE(!report.reason.empty());
    }
}

void secret_provider_call(unsigned char op, std::unique_ptr<secret_provider> provider) {
    FUZZ_REQUIRE(!provider->name().empty());
    switch ((op >> 3) % 5) {
    case 0: check(provider->existing_key_ids()); break;
    case 1: check(provider->create_key("opsbot-fuzz")); break;
    case 2: check(provider->cleanup_unused("opsbot-fuzz", op & 0x80 ? "key_keep" : "")); break;
    case 3: check(provider->verify_key("sk-fuzz-new-value")); break;
    default: check(provider->revoke_key("key_fuzz")); break;
    }
}

secret_config provider_secret(std::map<std::string, std::string> settings) {
    secret_config secret;
    secret.name = "FUZZ_SECRET";
    secret.provider = std::move(settings);
    return secret;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_adapter_input(data, size);
    if (!input) {
        return 0;
    }
    const unsigned char op = input->selector;
    const std::string_view answers = input->answers;
    fuzz::canned_http http(answers);
    manual_clock clk;
    switch (op % 8) {
    case 0: {
        sentry_config config;
        config.api_url = "https://sentry.test/api/0/";
        config.org = "org";
        config.project = "project";
        auto sentry = make_sentry_issues(config, "fuzz-token", http, &clk);
        check(sentry->new_issues_since(clk.now() - std::chrono::minutes{15}, "production"));
        break;
    }
    case 1: {
        betterstack_config config;
        config.api_url = "https://uptime.betterstack.test/api/v2/";
        check(make_betterstack_monitors(config, "fuzz-token", http)->monitors());
        break;
    }
    case 2: {
        github_config config;
        config.api_url = "https://api.github.test/";
        config.repo = "acme/app";
        check(make_github_ci(config, "fuzz-token", http, &clk)->branch_status("main"));
        break;
    }
    case 3:
        secret_provider_call(op, make_openai_provider(provider_secret({{"api_url", "https://api.openai.test/v1"},
                                                                        {"project_id", "proj_fuzz"},
                                                                        {"service_account_id", "svc_old"}}),
                                                      "fuzz-admin", http));
        break;
    case 4:
        secret_provider_call(op, make_resend_provider(provider_secret({{"api_url", "https://api.resend.test"}}),
                                                      "fuzz-admin", http));
        break;
    case 5:
        secret_provider_call(op, make_posthog_provider(provider_secret({{"api_url", "https://posthog.test"},
                                                                         {"project_id", "1"}}),
                                                       "fuzz-admin", http));
        break;
    case 6: {
        // Through the checker (one attempt, timeout rule), then the judge on the raw body under every status.
        auto report = make_health_checker(http)->check("https://api.test/health", std::chrono::seconds{5});
        check(report);
        if (report) {
            check_health(*report);
        }
        break;
    }
    default:
        check_health(judge_health_answer(fuzz::status_for(op >> 3), answers));
        break;
    }
    return 0;
}
