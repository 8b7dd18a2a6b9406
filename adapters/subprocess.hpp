#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace opsbot::adapters {

/// What to run. No shell is involved: argv[0] is looked up in the parent's PATH when it has no slash.
struct subprocess_options {
    std::vector<std::string> argv;
    std::string workdir;                         ///< empty: the parent's working directory
    std::map<std::string, std::string> set_env;  ///< added to (or replacing) the parent's environment, child only
    std::vector<std::string> unset_env;          ///< removed from the child's environment
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

/// Runs argv in its own process group; on timeout SIGTERM then SIGKILL go to the whole group.
/// Errors only when the program could not be started (not found, bad workdir); a failing program is
/// a result with a non-zero exit code. Blocking: call it on a worker thread.
result<subprocess_result> run_subprocess(const subprocess_options& options);

/// The last `max_bytes` of `text`, starting at a line start when a newline is near; unchanged when short.
std::string keep_tail(std::string_view text, std::size_t max_bytes);

}  // namespace opsbot::adapters
