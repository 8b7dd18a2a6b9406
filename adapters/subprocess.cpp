#include "adapters/subprocess.hpp"

#include "core/redactor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace opsbot::adapters {
namespace {

using steady = std::chrono::steady_clock;

bool allowlisted(std::string_view name, const std::vector<std::string>& passthrough) {
    static constexpr std::string_view base[] = {"PATH", "HOME", "LANG", "TZ"};
    return std::ranges::find(base, name) != std::end(base) || name.starts_with("LC_") ||
           std::ranges::find(passthrough, name) != passthrough.end();
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) {
        out.push_back(s.data());
    }
    out.push_back(nullptr);
    return out;
}

struct spawn_attrs {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    spawn_attrs() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~spawn_attrs() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

void fill_status(subprocess_result& out, int status) {
    if (WIFEXITED(status)) {
        out.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out.signal = WTERMSIG(status);
    }
}

}  // namespace

std::vector<std::string> child_environment(const subprocess_options& options, const char* const* parent) {
    std::vector<std::string> out;
    for (const char* const* e = parent; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        const std::string_view name = entry.substr(0, eq);
        if (allowlisted(name, options.passthrough) && !options.set_env.contains(std::string(name))) {
            out.emplace_back(entry);
        }
    }
    for (const auto& [name, value] : options.set_env) {
        out.push_back(name + "=" + value);
    }
    return out;
}

std::string subprocess_result::describe() const {
    if (timed_out) {
        return fmt::format("timed out after {} s", std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
    }
    if (signal != 0) {
        return fmt::format("killed by signal {}", signal);
    }
    return fmt::format("exit code {}", exit_code);
}

std::string keep_tail(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    std::string_view tail = text.substr(text.size() - max_bytes);
    // Start at a line boundary when one is close, so the first kept line is whole.
    auto nl = tail.find('\n');
    if (nl != std::string_view::npos && nl < tail.size() / 4) {
        tail.remove_prefix(nl + 1);
    }
    return std::string(tail);
}

result<subprocess_result> run_subprocess(const subprocess_options& options) {
    if (options.argv.empty() || options.argv.front().empty()) {
        return fail(error_kind::invalid_input, "no program to run");
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return fail(error_kind::internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    spawn_attrs sa;
    posix_spawn_file_actions_addopen(&sa.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&sa.actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&sa.actions, fds[1], STDERR_FILENO);
    if (!options.workdir.empty()) {
        posix_spawn_file_actions_addchdir_np(&sa.actions, options.workdir.c_str());
    }
    // Whatever the process holds open (sockets, the database, a descriptor a library opened without
    // close-on-exec), the child gets none of it: only 0, 1 and 2 above survive.
    if (int rc = posix_spawn_file_actions_addclosefrom_np(&sa.actions, STDERR_FILENO + 1); rc != 0) {
        close(fds[0]);
        close(fds[1]);
        return fail(error_kind::internal,
                    fmt::format("posix_spawn_file_actions_addclosefrom_np: {}", std::strerror(rc)));
    }
    // Own process group, so a timeout can stop the program and everything it started.
    posix_spawnattr_setpgroup(&sa.attr, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&sa.attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&sa.attr, &none);
    posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> argv_strings = options.argv;
    std::vector<std::string> env_strings = child_environment(options, environ);
    auto argv = c_strings(argv_strings);
    auto envp = c_strings(env_strings);
    const auto start = steady::now();
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &sa.actions, &sa.attr, argv.data(), envp.data());
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return fail(rc == ENOENT ? error_kind::not_found : error_kind::unavailable,
                    global_redactor().redact(fmt::format("cannot run `{}`{}: {}", options.argv.front(),
                                                         options.workdir.empty() ? "" : " in " + options.workdir,
                                                         std::strerror(rc))));
    }

    subprocess_result out;
    std::string buffer;
    const auto deadline = start + options.timeout;
    auto kill_at = steady::time_point::max();
    bool reaped = false;
    bool eof = false;
    char chunk[16384];
    while (!(reaped && eof)) {
        const auto now = steady::now();
        if (!out.timed_out && now >= deadline) {
            out.timed_out = true;
            kill(-pid, SIGTERM);
            kill_at = now + options.kill_grace;
        }
        if (now >= kill_at) {
            kill(-pid, SIGKILL);
            kill_at = steady::time_point::max();
            if (reaped) {
                break;  // the program is gone; whatever still holds the pipe was just killed
            }
        }
        if (!eof) {
            pollfd p{fds[0], POLLIN, 0};
            int n = poll(&p, 1, 50);
            if (n > 0) {
                ssize_t got = read(fds[0], chunk, sizeof chunk);
                if (got > 0) {
                    buffer.append(chunk, static_cast<size_t>(got));
                    // Keep memory bounded on huge outputs: only the tail is returned anyway.
                    if (buffer.size() > 2 * options.max_output + sizeof chunk) {
                        buffer.erase(0, buffer.size() - options.max_output - sizeof chunk);
                        out.truncated = true;
                    }
                } else if (got == 0 || errno != EINTR) {
                    eof = true;
                }
            }
        } else {
            usleep(20'000);
        }
        if (!reaped) {
            int status = 0;
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                reaped = true;
                fill_status(out, status);
                if (!eof && kill_at == steady::time_point::max()) {
                    // A grandchild may keep the pipe open: give it until the deadline, then kill the group.
                    const auto soon = steady::now() + options.kill_grace;
                    kill_at = std::min(std::max(deadline, steady::now()), soon);
                }
            }
        }
    }
    close(fds[0]);
    if (!reaped) {
        int status = 0;
        waitpid(pid, &status, 0);
        fill_status(out, status);
    }
    if (buffer.size() > options.max_output) {
        out.truncated = true;
    }
    out.output = global_redactor().redact(keep_tail(buffer, options.max_output));
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
    return out;
}

}  // namespace opsbot::adapters
