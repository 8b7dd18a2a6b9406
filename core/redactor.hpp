#pragma once

#include "core/secure_memory.hpp"

#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot {

/// Replaces secrets in text before it leaves the process (logs, Slack, audit, subprocess output).
/// Two kinds: exact values registered at start-up or at run time (env-var secrets, generated keys),
/// and anything shaped like a credential (Slack xox?-/xapp- tokens, OpenAI sk- keys, `Bearer …`,
/// the password in a `scheme://user:password@host` URL). Thread-safe.
/// The redactor's copies of the values live in memory that is overwritten (OPENSSL_cleanse) when it is released:
/// on remove_secret(), on reallocation and at destruction; so does the working copy of each text it redacts.
class redactor {
public:
    /// Registers a secret value; `label` names it in the replacement (`[redacted:LABEL]`).
    /// Values shorter than 6 characters are ignored: they would mangle ordinary text. The argument's own bytes are
    /// overwritten once copied.
    void add_secret(std::string value, std::string label = {});
    void remove_secret(std::string_view value);

    std::string redact(std::string_view text) const;

    /// True when `text` contains no registered secret and nothing token-shaped.
    bool is_clean(std::string_view text) const { return redact(text) == text; }

private:
    struct secret {
        wiping_string value;  ///< always in a heap block (make_wiping_string): moves never copy the bytes
        std::string label;
    };
    mutable std::shared_mutex mutex_;
    std::vector<secret, wiping_allocator<secret>> secrets_;
};

/// The process-wide redactor used by the log sink and every outgoing message.
redactor& global_redactor();

/// Only the pattern part (no registered values): pure function, used by the redactor.
std::string redact_token_shapes(std::string_view text);

}  // namespace opsbot
