// bench/ack_latency: how fast the real `opsbot run` acknowledges Socket Mode envelopes.
// Starts the built opsbot binary as a child process against the Slack simulator on loopback, then
//  - a burst of 2,000 `/deploy help` envelopes over one connection, and
//  - 300 envelopes one at a time (each waits for its ack),
// and prints p50/p99/max ack latency, the time from process start to `hello`, and the child's idle and
// peak RSS (VmRSS / VmHWM). Targets on a 2-core machine: burst p99 < 20 ms, one-at-a-time p99 < 1 ms,
// idle RSS < 10 MB, ready < 50 ms.
#include "sim/slack_simulator.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using clock_type = std::chrono::system_clock;
using ms = std::chrono::duration<double, std::milli>;

long proc_status_kb(pid_t pid, const std::string& field) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(field + ":")) {
            return std::stol(line.substr(field.size() + 1));
        }
    }
    return -1;
}

struct summary {
    double p50 = 0, p99 = 0, max = 0;
};

summary summarise(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
    return {at(0.50), at(0.99), v.back()};
}

}  // namespace

int main() {
    namespace fs = std::filesystem;
    opsbot::sim::slack_simulator_options sim_options;
    sim_options.server_ping_interval = std::chrono::seconds{10};
    opsbot::sim::slack_simulator slack(sim_options);

    fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-bench-{}", ::getpid());
    fs::create_directories(dir);
    fs::path config = dir / "opsbot.jsonc";
    std::ofstream(config) << fmt::format(R"({{
  "slack": {{ "app_token_env": "OPSBOT_BENCH_APP_TOKEN", "bot_token_env": "OPSBOT_BENCH_BOT_TOKEN",
             "api_url": "{}", "ops_channel": "C0OPS", "incident_channel": "C0INC" }},
  "database": "{}",
  "groups": {{ "deployers": ["U01"] }},
  "policies": {{ "deploy": {{ "run": "deployers" }} }}
}}
)",
                                         slack.api_url(), (dir / "opsbot.db").string());

    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        env_strings.emplace_back(*e);
    }
    env_strings.push_back("OPSBOT_BENCH_APP_TOKEN=" + slack.options().app_token);
    env_strings.push_back("OPSBOT_BENCH_BOT_TOKEN=" + slack.options().bot_token);
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::string binary = OPSBOT_BINARY;
    std::string config_path = config.string();
    std::vector<char*> argv{binary.data(), const_cast<char*>("run"), const_cast<char*>("--config"),
                            config_path.data(), nullptr};

    auto started = clock_type::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) {
        std::cerr << "ack_latency: cannot start " << binary << "\n";
        return 1;
    }
    bool ready = slack.wait_for(
        [&] {
            auto c = slack.connections();
            return !c.empty() && c.front().hello_at.has_value();
        },
        std::chrono::seconds{10});
    if (!ready) {
        std::cerr << "ack_latency: the bot did not connect\n";
        kill(pid, SIGKILL);
        return 1;
    }
    double ready_ms = ms(*slack.connections().front().hello_at - started).count();

    // Idle: give start-up work (interrupted-action check, first ping) a moment to finish.
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    long idle_rss_kb = proc_status_kb(pid, "VmRSS");

    // Burst.
    constexpr int burst = 2000;
    std::map<std::string, clock_type::time_point> sent_at;
    const auto burst_start = clock_type::now();
    for (int i = 0; i < burst; ++i) {
        auto t = clock_type::now();
        sent_at[slack.send_slash_command("U01", "C0OPS", "/deploy", "help")] = t;
    }
    const auto burst_sent = clock_type::now();
    bool all_acked = slack.wait_for([&] { return slack.ack_count() >= burst; }, std::chrono::seconds{60});
    std::vector<double> burst_ms;
    clock_type::time_point last_ack = burst_sent;
    for (const auto& a : slack.acks()) {
        if (auto it = sent_at.find(a.envelope_id); it != sent_at.end()) {
            burst_ms.push_back(ms(a.at - it->second).count());
            last_ack = std::max(last_ack, a.at);
        }
    }
    // Where the time goes: how long the simulator took to take the burst, and when the last ack was in.
    const double burst_submit_ms = ms(burst_sent - burst_start).count();
    const double burst_span_ms = ms(last_ack - burst_start).count();

    // One at a time.
    constexpr int single = 300;
    std::vector<double> single_ms;
    for (int i = 0; i < single; ++i) {
        auto t = clock_type::now();
        std::string id = slack.send_slash_command("U01", "C0OPS", "/deploy", "help");
        if (!slack.wait_for([&] { return !slack.acks_for(id).empty(); }, std::chrono::seconds{5})) {
            std::cerr << "ack_latency: no ack for " << id << "\n";
            continue;
        }
        single_ms.push_back(ms(slack.acks_for(id).front().at - t).count());
    }
    long peak_rss_kb = proc_status_kb(pid, "VmHWM");

    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    slack.stop();
    fs::remove_all(dir);

    auto b = summarise(burst_ms);
    auto s = summarise(single_ms);
    fmt::print("ack_latency: opsbot run against the Slack simulator on loopback\n");
    fmt::print("  ready (process start -> hello):   {:8.2f} ms   (target < 50 ms)\n", ready_ms);
    fmt::print("  burst of {} /deploy help:       p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} acked{})"
               "   (target p99 < 20 ms)\n",
               burst, b.p50, b.p99, b.max, burst_ms.size(), all_acked ? "" : ", INCOMPLETE");
    fmt::print("      (the simulator took the {} sends in {:.1f} ms; the last ack arrived {:.1f} ms after the first send)\n",
               burst, burst_submit_ms, burst_span_ms);
    fmt::print("  {} one at a time:                 p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms"
               "   (target p99 < 1 ms)\n",
               single, s.p50, s.p99, s.max);
    fmt::print("  RSS idle {:.1f} MB, peak {:.1f} MB   (target idle < 10 MB)\n", idle_rss_kb / 1024.0,
               peak_rss_kb / 1024.0);
    fmt::print("  exit after SIGTERM: {}\n",
               WIFEXITED(status) ? fmt::format("code {}", WEXITSTATUS(status)) : std::string("killed by a signal"));
    return all_acked ? 0 : 1;
}
