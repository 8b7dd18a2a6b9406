#pragma once

#include "tests/support/eventually.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace opsbot::testing {

/// A child process (the real `opsbot run`) started with an argument vector and exactly the environment given (no
/// shell), its output appended to a file; killed at destruction if still running. Tests signal it and read its exit.
class child_process {
public:
    child_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                  const std::filesystem::path& output) {
        std::vector<char*> argv;
        for (const auto& a : args) {
            argv.push_back(const_cast<char*>(a.c_str()));
        }
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (const auto& e : env) {
            envp.push_back(const_cast<char*>(e.c_str()));
        }
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
        }
    }
    ~child_process() {
        if (pid_ > 0 && !exit_code_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    bool started() const { return pid_ > 0; }
    void signal(int sig) { ::kill(pid_, sig); }
    /// Whether it has ended (reaping it if so); does not wait.
    bool ended() { return wait(std::chrono::milliseconds{0}).has_value(); }
    /// Waits for the exit; the exit code, or 128 + signal; nullopt after `limit`.
    std::optional<int> wait(std::chrono::milliseconds limit) {
        if (exit_code_) {
            return exit_code_;
        }
        bool done = eventually(
            [&] {
                int status = 0;
                pid_t r = ::waitpid(pid_, &status, WNOHANG);
                if (r == pid_) {
                    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                    return true;
                }
                return r < 0;
            },
            limit);
        return done ? exit_code_ : std::nullopt;
    }

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

}  // namespace opsbot::testing
