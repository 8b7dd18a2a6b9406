#pragma once

#include "commands/grammar/command_context.hpp"
#include "commands/grammar/family.hpp"

#include "commands/grammar/invocation.hpp"
#include "commands/grammar/parser.hpp"
#include "commands/grammar/reply.hpp"
#include "config/config.hpp"

#include <map>
#include <string>

namespace opsbot::commands {

/// The outcome of routing one invocation.
struct routed {
    reply immediate;          ///< what to answer right away in the ack: help, usage error, refusal, or "working…"
    /// Set when `immediate` depends only on the config (help): names it ("deploy", "deploy status"), so that its
    /// rendering can be reused without hashing the whole text.
    std::string constant_key;
    bool needs_work = false;  ///< true: the bot answers (execute()) or plans it on a worker thread
    parsed_command parsed;    ///< valid only when the command parsed and was authorised
};

/// Turns an invocation into a reply: find the family, tokenize, help (always allowed), run policy,
/// grammar and validation, channel policy, break-glass policy. Every refusal is ephemeral and logged
/// (user, command, reason; never the raw text). Holds a copy of the config and serves the families of `families`
/// (which must outlive it); thread-safe (const only).
class command_router {
public:
    command_router(const stack_config& config, const family_set& families);

    /// Pure and cheap: no I/O besides logging a refusal.
    routed route(const invocation& inv) const;

    /// What route(inv).constant_key would be, without rendering the reply: a caller that kept the rendering of
    /// that key answers from it (help, in the ack of a burst) without copying the text again.
    std::string constant_key(const invocation& inv) const;

    /// Answers an authorised, implemented command that is not a plan through its family's answer function;
    /// "not available yet in this build" when it has none.
    reply execute(const routed& r, const command_context& context) const;

private:
    stack_config config_;
    const family_set& families_;
    /// Each family's help, made once: it depends only on the config, and `/x help` is answered in the ack on
    /// the I/O thread, where rendering it per request cost a fifth of the envelope's time (bench/ack_latency).
    std::map<std::string, std::string, std::less<>> family_help_;
};

}  // namespace opsbot::commands
