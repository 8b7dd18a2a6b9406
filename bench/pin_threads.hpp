#pragma once
// Where a benchmark's processes run: the bot on one CPU and the simulator on another, as Slack runs on other machines.
#include <fmt/format.h>
#include <sched.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace opsbot::bench {

/// Runs every thread of process `pid` on CPU `cpu` only (threads and children started later inherit it).
inline void pin_threads(pid_t pid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
        sched_setaffinity(std::stoi(task.path().filename().string()), sizeof(set), &set);
    }
}

}  // namespace opsbot::bench
