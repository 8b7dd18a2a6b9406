#include "core/log_context.hpp"

namespace opsbot {

namespace {
thread_local log_context current;
}

const log_context& current_log_context() { return current; }

scoped_log_context::scoped_log_context(const log_context& context) : previous_(current) {
    for (auto [to, from] : {std::pair{&current.envelope, &context.envelope}, {&current.action, &context.action},
                            {&current.family, &context.family}, {&current.step, &context.step}}) {
        if (!from->empty()) {
            *to = *from;
        }
    }
}

scoped_log_context::~scoped_log_context() { current = std::move(previous_); }

}  // namespace opsbot
