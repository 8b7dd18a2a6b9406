#pragma once
// What a log line is about, for the JSON log format (bot/logging.cpp, `opsbot run --log-format json`): set for the
// duration of a job on the thread running it, read by the log formatter. Ids and names only, never free text.

#include <string>

namespace opsbot {

struct log_context {
    std::string envelope;  ///< the Socket Mode envelope being handled
    std::string action;    ///< "A-12"
    std::string family;    ///< "rollback"
    std::string step;      ///< the step kind running
};

/// A context about one envelope only.
inline log_context envelope_context(std::string id) {
    log_context c;
    c.envelope = std::move(id);
    return c;
}

/// This thread's context (empty fields: not known).
const log_context& current_log_context();

/// Sets the non-empty fields of `context` on this thread until it goes out of scope, then restores the previous.
class scoped_log_context {
public:
    explicit scoped_log_context(const log_context& context);
    ~scoped_log_context();
    scoped_log_context(const scoped_log_context&) = delete;
    scoped_log_context& operator=(const scoped_log_context&) = delete;

private:
    log_context previous_;
};

}  // namespace opsbot
