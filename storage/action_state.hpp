#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace opsbot::storage {

/// The life of an action (docs/design.md "What a user does"): posted for approval, then approved and run, or
/// ended on the way. The last seven states are terminal.
enum class action_state {
    awaiting_approval,
    approved,
    running,
    succeeded,
    failed,
    denied,
    cancelled,
    expired,
    interrupted,
    stopped,  ///< a person pressed Stop while it ran: it ended before its next step (issue 12)
};

inline constexpr std::array<action_state, 10> all_action_states{
    action_state::awaiting_approval, action_state::approved, action_state::running,
    action_state::succeeded,         action_state::failed,   action_state::denied,
    action_state::cancelled,         action_state::expired,  action_state::interrupted,
    action_state::stopped,
};

/// The stored spelling, e.g. "awaiting_approval".
std::string_view to_string(action_state state);

/// The inverse of to_string; nullopt for anything else.
std::optional<action_state> parse_action_state(std::string_view text);

/// The transition table, the single source of truth (the SQLite trigger of the schema — migration 8 — is
/// checked against it by a test). A state never transitions to itself.
///   awaiting_approval -> approved | denied | cancelled | expired
///   approved          -> running | failed | interrupted
///   running           -> succeeded | failed | interrupted | stopped
bool can_transition(action_state from, action_state to);

/// True for succeeded, failed, denied, cancelled, expired, interrupted, stopped.
bool is_terminal(action_state state);

}  // namespace opsbot::storage
