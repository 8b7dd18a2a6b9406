// adapters/railway: what each DeploymentStatus of railway-schema.json means for "what serves" and for a waiting step.
#include "adapters/railway.hpp"

#include <catch2/catch.hpp>

using namespace opsbot::adapters;
using opsbot::error_kind;

namespace {

railway_deployment with_status(std::string id, std::string status) {
    railway_deployment d;
    d.id = std::move(id);
    d.status = std::move(status);
    return d;
}

}  // namespace

TEST_CASE("every DeploymentStatus of the schema has a phase", "[railway]") {
    struct expected {
        const char* status;
        railway_phase phase;
    };
    for (const auto& [status, phase] : {
             expected{"SUCCESS", railway_phase::live},
             expected{"SLEEPING", railway_phase::live},
             expected{"QUEUED", railway_phase::in_progress},
             expected{"WAITING", railway_phase::in_progress},
             expected{"INITIALIZING", railway_phase::in_progress},
             expected{"BUILDING", railway_phase::in_progress},
             expected{"DEPLOYING", railway_phase::in_progress},
             expected{"FAILED", railway_phase::failed},
             expected{"CRASHED", railway_phase::failed},
             expected{"NEEDS_APPROVAL", railway_phase::needs_approval},
             expected{"REMOVED", railway_phase::gone},
             expected{"REMOVING", railway_phase::gone},
             expected{"SKIPPED", railway_phase::gone},
             expected{"SOMETHING_NEW", railway_phase::unknown},
             expected{"", railway_phase::unknown},
         }) {
        INFO(status);
        CHECK(classify_railway_status(status) == phase);
    }
}

TEST_CASE("a sleeping deployment serves, one waiting for approval is neither in progress nor failed", "[railway]") {
    CHECK(with_status("a", "SLEEPING").succeeded());
    CHECK_FALSE(with_status("a", "SLEEPING").in_progress());
    const auto held = with_status("b", "NEEDS_APPROVAL");
    CHECK(held.needs_approval());
    CHECK_FALSE(held.in_progress());
    CHECK_FALSE(held.failed());
    CHECK_FALSE(held.succeeded());
    CHECK_FALSE(with_status("c", "REMOVING").succeeded());
    CHECK_FALSE(with_status("c", "REMOVING").in_progress());
}

TEST_CASE("each status has a phrase for people", "[railway]") {
    CHECK(railway_status_phrase("SUCCESS") == "live (SUCCESS)");
    CHECK(railway_status_phrase("SLEEPING") == "live, asleep until traffic comes (SLEEPING)");
    CHECK(railway_status_phrase("BUILDING") == "in progress (BUILDING)");
    CHECK(railway_status_phrase("CRASHED") == "failed (CRASHED)");
    CHECK(railway_status_phrase("NEEDS_APPROVAL") == "waiting for approval in Railway's dashboard (NEEDS_APPROVAL)");
    CHECK(railway_status_phrase("REMOVING") == "being removed (REMOVING)");
    CHECK(railway_status_phrase("REMOVED") == "removed (REMOVED)");
    CHECK(railway_status_phrase("SKIPPED") == "skipped, never deployed (SKIPPED)");
    CHECK(railway_status_phrase("ODD") == "in a state opsbot does not know (ODD)");
}

TEST_CASE("the live deployment is the newest SUCCESS or SLEEPING one", "[railway]") {
    auto live = pick_railway_live({with_status("new", "BUILDING"), with_status("asleep", "SLEEPING"),
                                   with_status("old", "SUCCESS")});
    REQUIRE(live);
    CHECK(live->id == "asleep");
}

TEST_CASE("without a live deployment the newest one's state is named", "[railway]") {
    auto held = pick_railway_live({with_status("held", "NEEDS_APPROVAL"), with_status("old", "REMOVED")});
    REQUIRE_FALSE(held);
    CHECK(held.error().kind == error_kind::not_found);
    CHECK(held.error().message ==
          "Railway: no live deployment (SUCCESS or SLEEPING) found; the newest, held, is waiting for approval in "
          "Railway's dashboard (NEEDS_APPROVAL)");
    auto removing = pick_railway_live({with_status("going", "REMOVING")});
    CHECK(removing.error().message.find("being removed (REMOVING)") != std::string::npos);
    CHECK(pick_railway_live({}).error().message == "Railway: no deployment found");
}

TEST_CASE("railway: the rollback target is never the live deployment, even listed twice (found by fuzz)",
          "[railway_status]") {
    // fuzz/crashes/platform_adapters/: an answer naming the live id again further down made it its own target.
    auto deployment = [](std::string id, std::string status, bool can_rollback) {
        opsbot::adapters::railway_deployment d;
        d.id = std::move(id);
        d.status = std::move(status);
        d.can_rollback = can_rollback;
        return d;
    };
    const std::vector list{deployment("dep-1", "SUCCESS", true), deployment("dep-1", "REMOVED", true),
                           deployment("dep-0", "REMOVED", true)};
    auto target = opsbot::adapters::pick_railway_rollback_target(list, "dep-1");
    REQUIRE(target);
    CHECK(target->id == "dep-0");
    auto none = opsbot::adapters::pick_railway_rollback_target({list[0], list[1]}, "dep-1");
    REQUIRE_FALSE(none);
    CHECK(none.error().kind == opsbot::error_kind::not_found);
}
