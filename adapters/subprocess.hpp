#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// What to run. No shell is involved: argv[0] is looked up in the parent's PATH when it has no slash.
///
/// The child's environment starts empty (docs/design.md "Runtime model"): it gets the parent's values of the base
/// allowlist (PATH, HOME, LANG, LC_*, TZ) and of the `passthrough` names, then `set_env`. Nothing else of the
/// parent's (its tokens, other databases' URLs) reaches it.
struct subprocess_options {
    std::vector<std::string> argv;
    std::string workdir;                         ///< empty: the parent's working directory
    std::vector<std::string> passthrough;        ///< more names copied from the parent's environment when set
    std::map<std::string, std::string> set_env;  ///< the step's own variables (they win over copied ones)
    std::chrono::milliseconds timeout{std::chrono::minutes{5}};
    std::chrono::milliseconds kill_grace{std::chrono::seconds{2}};  ///< SIGTERM -> SIGKILL delay
    std::size_t max_output = 64 * 1024;  ///< bytes of output kept (the tail)
};

/// How it ended. `output` is stdout and stderr interleaved (one pipe), already passed through
/// global_redactor(), cut to the last max_output bytes (at a line start) when longer.
struct subprocess_result {
    int exit_code = -1;  ///< -1 when killed by a signal
    int signal = 0;      ///< the terminating signal, 0 when it exited
    bool timed_out = false;
    bool truncated = false;
    std::string output;
    std::chrono::milliseconds elapsed{0};

    bool ok() const { return exit_code == 0 && !timed_out; }
    /// "exit code 1", "killed by signal 9", "timed out after 30 s".
    std::string describe() const;
};

/// Runs argv in its own process group; on timeout SIGTERM then SIGKILL go to the whole group. The child holds no
/// descriptor of the parent's beyond 0 (/dev/null), 1 and 2 (one pipe): every other one is closed in the child.
/// Errors only when the program could not be started (not found, bad workdir); a failing program is
/// a result with a non-zero exit code. Blocking: call it on a worker thread.
result<subprocess_result> run_subprocess(const subprocess_options& options);

/// The child's environment as "NAME=value" strings, built from `parent` (an environ-style array) as
/// run_subprocess does: the base allowlist and options.passthrough copied when set there, then options.set_env.
std::vector<std::string> child_environment(const subprocess_options& options, const char* const* parent);

/// The last `max_bytes` of `text`, starting at a line start when a newline is near; unchanged when short.
std::string keep_tail(std::string_view text, std::size_t max_bytes);

}  // namespace opsbot::adapters
