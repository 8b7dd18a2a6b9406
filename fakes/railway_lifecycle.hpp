#pragma once
// How a new Railway deployment moves as it is polled, shared by the in-memory Railway (fakes/memory_railway) and the
// wire-format one (tests/support/fake_railway), so both tell the bot the same story (docs/platforms.md §2.1).

#include <string>

namespace opsbot::fakes {

/// The status of a new deployment at its `polls`-th poll when it settles at poll `polls_to_finish`: BUILDING for
/// the first half, DEPLOYING after, then SUCCESS, or FAILED when it `will_fail`.
std::string railway_status_at_poll(int polls, int polls_to_finish, bool will_fail);

}  // namespace opsbot::fakes
