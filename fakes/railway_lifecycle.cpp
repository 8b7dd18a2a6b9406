// See railway_lifecycle.hpp.
#include "fakes/railway_lifecycle.hpp"

namespace opsbot::fakes {

std::string railway_status_at_poll(int polls, int polls_to_finish, bool will_fail) {
    if (polls < polls_to_finish) {
        return polls * 2 < polls_to_finish ? "BUILDING" : "DEPLOYING";
    }
    return will_fail ? "FAILED" : "SUCCESS";
}

}  // namespace opsbot::fakes
