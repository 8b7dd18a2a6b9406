#include "storage/action_state.hpp"

namespace opsbot::storage {

std::string_view to_string(action_state state) {
    switch (state) {
        case action_state::awaiting_approval: return "awaiting_approval";
        case action_state::approved: return "approved";
        case action_state::running: return "running";
        case action_state::succeeded: return "succeeded";
        case action_state::failed: return "failed";
        case action_state::denied: return "denied";
        case action_state::cancelled: return "cancelled";
        case action_state::expired: return "expired";
        case action_state::interrupted: return "interrupted";
        case action_state::stopped: return "stopped";
    }
    return "unknown";
}

std::optional<action_state> parse_action_state(std::string_view text) {
    for (action_state state : all_action_states) {
        if (to_string(state) == text) {
            return state;
        }
    }
    return std::nullopt;
}

bool can_transition(action_state from, action_state to) {
    using enum action_state;
    switch (from) {
        case awaiting_approval: return to == approved || to == denied || to == cancelled || to == expired;
        // approved -> failed: the executor could not start it (lock busy, plan changed);
        // approved -> interrupted: the process stopped between approval and start.
        case approved: return to == running || to == failed || to == interrupted;
        // running -> stopped: the Stop button; the executor ends it before its next step.
        case running: return to == succeeded || to == failed || to == interrupted || to == stopped;
        case succeeded:
        case failed:
        case denied:
        case cancelled:
        case expired:
        case interrupted:
        case stopped: return false;
    }
    return false;
}

bool is_terminal(action_state state) {
    using enum action_state;
    return state == succeeded || state == failed || state == denied || state == cancelled || state == expired ||
           state == interrupted || state == stopped;
}

}  // namespace opsbot::storage
