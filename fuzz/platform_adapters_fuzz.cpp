// What Vercel's REST API and Railway's GraphQL API answer (docs/platforms.md §1, §2), through the real adapters
// (adapters/vercel.cpp, railway.cpp) over a canned client (fuzz/canned_http.hpp): the first byte picks the call,
// the rest are the answers. Listed deployments then go through the pure selectors the plans use
// (pick_vercel_current_production, pick_*_rollback_target, pick_railway_live).
// Invariants: nothing throws (every call returns result<>); an error carries a message; a selector returns a
// deployment of the list it was given.

#include "adapters/railway.hpp"
#include "adapters/vercel.hpp"
#include "fuzz/canned_http.hpp"
#include "fuzz/fuzz_check.hpp"

#include <algorithm>
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

template <typename D>
bool listed(const std::vector<D>& list, const D& d) {
    return std::ranges::any_of(list, [&](const D& x) { return x.id == d.id; });
}

void vercel_call(unsigned char op, fuzz::canned_http& http) {
    service_config service;
    service.name = "web";
    service.platform = platform_kind::vercel;
    service.api_url = "https://api.vercel.test";
    service.project_id = "prj_fuzz";
    service.team_id = op & 0x80 ? "team_fuzz" : "";
    auto vercel = make_vercel_platform(service, "fuzz-token", http);
    switch (op % 9) {
    case 0: {
        auto list = vercel->list_production_deployments(5);
        check(list);
        if (list) {
            auto current = pick_vercel_current_production(*list);
            check(current);
            if (current) {
                FUZZ_REQUIRE(listed(*list, *current));
                auto target = pick_vercel_rollback_target(*list, current->id);
                check(target);
                if (target) {
                    FUZZ_REQUIRE(listed(*list, *target) && target->id != current->id);
                }
                if (!list->empty()) {
                    check(pick_vercel_rollback_target(*list, current->id, list->back().id));
                }
            }
        }
        break;
    }
    case 1: check(vercel->get_deployment("dpl_fuzz")); break;
    case 2: check(vercel->current_production()); break;
    case 3: check(vercel->request_rollback("dpl_fuzz")); break;
    case 4: check(vercel->request_promote("dpl_fuzz")); break;
    case 5: check(vercel->alias_job_status()); break;
    case 6: check(vercel->redeploy("dpl_fuzz", "web", "production", (op & 0x40) != 0)); break;
    case 7: check(vercel->upsert_env("KEY", "value", "encrypted", {"production", "preview"})); break;
    default: check(vercel->list_env("production")); break;
    }
}

void railway_call(unsigned char op, fuzz::canned_http& http) {
    service_config service;
    service.name = "api";
    service.platform = platform_kind::railway;
    service.api_url = "https://backboard.railway.test/graphql/v2";
    service.project_id = "project-fuzz";
    service.service_id = "service-fuzz";
    service.token_header = op & 0x80 ? "Project-Access-Token" : "Bearer";
    service.environments = {{"production", "env-prod"}, {"staging", "env-staging"}};
    auto railway = make_railway_platform(service, "fuzz-token", http);
    switch (op % 8) {
    case 0: {
        auto list = railway->list_deployments("production", 10);
        check(list);
        if (list) {
            auto live = pick_railway_live(*list);
            check(live);
            if (live) {
                FUZZ_REQUIRE(listed(*list, *live));
                auto target = pick_railway_rollback_target(*list, live->id);
                check(target);
                if (target) {
                    FUZZ_REQUIRE(listed(*list, *target) && target->id != live->id);
                }
            }
            for (const auto& d : *list) {
                FUZZ_REQUIRE(!railway_status_phrase(d.status).empty());
                if (auto stop = railway_wait_stop_reason(d.status)) {
                    FUZZ_REQUIRE(!stop->empty());
                }
            }
        }
        break;
    }
    case 1: check(railway->latest_deployment("staging")); break;
    case 2: check(railway->deployment_status("dep-fuzz")); break;
    case 3: check(railway->rollback("dep-fuzz")); break;
    case 4: check(railway->redeploy_latest("production")); break;
    case 5: check(railway->redeploy_deployment("dep-fuzz")); break;
    case 6: check(railway->upsert_variables("production", {{"KEY", "value"}}, (op & 0x40) != 0)); break;
    default:
        if (op & 0x40) {
            // The /deploy logs and /deploy verify path: never more lines than asked for.
            const int limit = 1 + (op & 0x0f);
            auto lines = railway->deployment_logs("dep-fuzz", "@level:error", limit);
            check(lines);
            FUZZ_REQUIRE(!lines || lines->size() <= static_cast<std::size_t>(limit));
        } else {
            check(railway->variables("production"));
        }
        break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = fuzz::read_adapter_input(data, size);
    if (!input) {
        return 0;
    }
    const unsigned char op = input->selector;
    fuzz::canned_http http(input->answers);
    // Bit 5 of the selector picks the platform; the other bits pick the call and its options.
    if (op & 0x20) {
        railway_call(op, http);
    } else {
        vercel_call(op, http);
    }
    return 0;
}
