// bench/ack_latency: how fast the real `opsbot run` acknowledges Socket Mode envelopes.
// Starts the built opsbot binary as a child process against the Slack simulator on loopback, then
//  - a burst of 2,000 `/deploy help` envelopes over one connection, and
//  - 300 envelopes one at a time (each waits for its ack),
// and prints p50/p99/max ack latency (from the moment the simulator wrote the envelope to its socket to the
// moment it read the ack), the time from process start to `hello`, and the child's idle and
// peak RSS (VmRSS / VmHWM), and the CPU time each side spent on the burst. Targets on a 2-core machine:
// burst p99 < 20 ms, one-at-a-time p99 < 1 ms, idle RSS < 10 MB, ready < 50 ms.
// Then the same two phases against the *floor* (bench/floor_client.hpp): a minimal client on the same simulator, on
// the bot's CPU, that acks every envelope at once with the bot's own help payload. opsbot's p50 and p99 are printed
// as ratios to the floor's of this run (target <= 1.3x on both): what the bot adds to the least possible.
// The bot corks a burst's acks into few TCP segments while the reader is still adding to its write queue
// (bot/slack/socket_mode_connection.cpp, socket_mode_link.cpp). Pushing each on its own, like the floor, left the bot
// at 1.4-2.1x the floor's burst p50: on loopback the kernel's delivery and wake-up per segment cost more than the
// bot's own work per envelope. The CPU time per envelope of both sides is printed to show where the time goes.
// OPSBOT_BENCH_WRAPPER (e.g. "valgrind --tool=callgrind") starts the bot under another program:
// scripts/text-order uses it to learn which functions start-up and the ack path run.
#include "bench/floor_client.hpp"
#include "bench/latency_summary.hpp"
#include "bench/pin_threads.hpp"
#include "sim/slack_simulator.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using opsbot::bench::pin_threads;
using opsbot::bench::summarise;

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

/// Where the resident memory of a process is: kB per mapping name (a library, the binary, [heap], anonymous), the
/// largest first, from /proc/PID/smaps — what the idle RSS figure is made of.
std::string resident_by_mapping(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/smaps", pid));
    std::map<std::string, long> kb;
    std::string line;
    std::string name;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (first.find('-') != std::string::npos && first.back() != ':') {  // a mapping's header line
            std::string perms, offset, dev, inode, path;
            words >> perms >> offset >> dev >> inode;
            std::getline(words >> std::ws, path);
            name = path.empty() ? "[anonymous]" : std::filesystem::path(path).filename().string();
        } else if (first == "Rss:") {
            long value = 0;
            words >> value;
            kb[name] += value;
        }
    }
    std::vector<std::pair<long, std::string>> order;
    for (const auto& [n, v] : kb) {
        if (v > 0) {
            order.emplace_back(v, n);
        }
    }
    std::sort(order.rbegin(), order.rend());
    std::string out;
    for (std::size_t i = 0; i < order.size() && i < 10; ++i) {
        out += fmt::format("{}{} {}", i == 0 ? "" : ", ", order[i].second, order[i].first);
    }
    return out;
}

/// CPU time of the threads of a process so far (all, or only the one `tid`), from /proc/PID/task/*/schedstat
/// (nanoseconds on a CPU).
double cpu_ms(pid_t pid, pid_t only_tid = 0) {
    namespace fs = std::filesystem;
    double total_ns = 0;
    std::error_code ec;
    for (const auto& task : fs::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
        if (only_tid != 0 && task.path().filename() != std::to_string(only_tid)) {
            continue;
        }
        std::ifstream in(task.path() / "schedstat");
        double on_cpu_ns = 0;
        if (in >> on_cpu_ns) {
            total_ns += on_cpu_ns;
        }
    }
    return total_ns / 1e6;
}

/// "a b  c" -> {"a", "b", "c"}; none for a null or empty text.
std::vector<std::string> split_words(const char* text) {
    std::vector<std::string> words;
    std::istringstream in(text != nullptr ? text : "");
    for (std::string word; in >> word;) {
        words.push_back(word);
    }
    return words;
}

/// Ack latencies of one client on the simulator's newest link: a burst written back to back, then one at a time.
struct phases {
    std::vector<double> burst_ms;
    std::vector<double> single_ms;
    bool all_acked = false;
    double burst_write_ms = 0;  ///< how long the simulator took to write the burst
    double burst_span_ms = 0;   ///< from the first write to the last ack
    double single_cpu_ms = 0;   ///< the client's CPU time over the one-at-a-time phase
};

constexpr int burst = 2000;
constexpr int single = 300;

/// Runs the burst and the one-at-a-time phase; `before_burst`, `after_build` and `after_burst` bracket the burst
/// (CPU accounting); `client_cpu_ms` reads the client's CPU time so far, for the one-at-a-time phase.
phases measure(opsbot::sim::slack_simulator& slack, const std::function<void()>& before_burst,
               const std::function<void()>& after_build, const std::function<void()>& after_burst,
               const std::function<double()>& client_cpu_ms) {
    phases out;
    // Burst: the envelopes are built first, then written back to back on the one link, as Slack would send them.
    // Ack latency runs from the moment the simulator wrote an envelope to its socket to the moment it read the
    // ack's frame back.
    const size_t acks_before = slack.ack_count();
    before_burst();
    auto burst_ids = slack.send_slash_commands("U01", "C0OPS", "/deploy", "help", burst);
    after_build();
    out.all_acked = slack.wait_for_acks(acks_before + burst, std::chrono::seconds{60});
    after_burst();
    const auto written_at = slack.written_at();
    const std::set<std::string> in_burst(burst_ids.begin(), burst_ids.end());
    auto first_write = clock_type::time_point::max();
    auto last_write = clock_type::time_point::min();
    auto last_ack = clock_type::time_point::min();
    for (const auto& a : slack.acks()) {
        auto written = written_at.find(a.envelope_id);
        if (in_burst.contains(a.envelope_id) && written != written_at.end()) {
            out.burst_ms.push_back(ms(a.at - written->second).count());
            first_write = std::min(first_write, written->second);
            last_write = std::max(last_write, written->second);
            last_ack = std::max(last_ack, a.at);
        }
    }
    out.burst_write_ms = ms(last_write - first_write).count();
    out.burst_span_ms = ms(last_ack - first_write).count();

    std::vector<std::pair<std::string, clock_type::time_point>> single_acks;
    const double single_cpu_before = client_cpu_ms();
    for (int i = 0; i < single; ++i) {
        std::string id = slack.send_slash_command("U01", "C0OPS", "/deploy", "help");
        if (!slack.wait_for([&] { return !slack.acks_for(id).empty(); }, std::chrono::seconds{5})) {
            std::cerr << "ack_latency: no ack for " << id << "\n";
            continue;
        }
        single_acks.emplace_back(id, slack.acks_for(id).front().at);
    }
    out.single_cpu_ms = client_cpu_ms() - single_cpu_before;
    for (const auto& written = slack.written_at(); const auto& [id, at] : single_acks) {
        out.single_ms.push_back(ms(at - written.at(id)).count());
    }
    return out;
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
    std::vector<std::string> wrapper = split_words(std::getenv("OPSBOT_BENCH_WRAPPER"));
    std::vector<char*> argv;
    for (auto& word : wrapper) {
        argv.push_back(word.data());
    }
    for (char* arg : {binary.data(), const_cast<char*>("run"), const_cast<char*>("--config"), config_path.data()}) {
        argv.push_back(arg);
    }
    argv.push_back(nullptr);

    // The simulator stands in for Slack, which runs on other machines: with two or more CPUs it gets one of its
    // own and the bot another. Left to itself, the scheduler often puts the two on one CPU (a loopback wake-up
    // is "sync", so the woken thread joins the waker) and the bot's acks then wait for the simulator's time slice.
    const bool pinned = std::thread::hardware_concurrency() >= 2;
    if (pinned) {
        pin_threads(::getpid(), 0);  // the bot inherits this when spawned
    }
    auto started = clock_type::now();
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv.front(), nullptr, nullptr, argv.data(), envp.data()) != 0) {
        std::cerr << "ack_latency: cannot start " << binary << "\n";
        return 1;
    }
    if (pinned) {
        pin_threads(::getpid(), 1);
    }
    bool ready = slack.wait_for(
        [&] {
            auto c = slack.connections();
            return !c.empty() && c.front().hello_at.has_value();
        },
        std::chrono::seconds{wrapper.empty() ? 10 : 120});
    if (!ready) {
        std::cerr << "ack_latency: the bot did not connect\n";
        kill(pid, SIGKILL);
        return 1;
    }
    double ready_ms = ms(*slack.connections().front().hello_at - started).count();

    // Idle: give start-up work (interrupted-action check, first ping) a moment to finish.
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    long idle_rss_kb = proc_status_kb(pid, "VmRSS");
    const std::string idle_rss_parts = resident_by_mapping(pid);

    double bot_cpu_before = 0, sim_cpu_before = 0, main_cpu_before = 0, main_cpu_build = 0;
    double bot_cpu_burst = 0, sim_cpu_burst = 0, main_cpu_burst = 0;
    phases bot = measure(
        slack,
        [&] {
            bot_cpu_before = cpu_ms(pid);
            sim_cpu_before = cpu_ms(::getpid());
            main_cpu_before = cpu_ms(::getpid(), ::getpid());
        },
        [&] { main_cpu_build = cpu_ms(::getpid(), ::getpid()) - main_cpu_before; },
        [&] {
            bot_cpu_burst = cpu_ms(pid) - bot_cpu_before;
            sim_cpu_burst = cpu_ms(::getpid()) - sim_cpu_before;
            main_cpu_burst = cpu_ms(::getpid(), ::getpid()) - main_cpu_before;
        },
        [&] { return cpu_ms(pid); });
    const bool all_acked = bot.all_acked;
    const std::vector<double>& burst_ms = bot.burst_ms;
    const std::vector<double>& single_ms = bot.single_ms;
    const double burst_write_ms = bot.burst_write_ms;
    const double burst_span_ms = bot.burst_span_ms;
    // The help reply as the bot acked it: the floor acks with the same bytes.
    std::string help_payload = "{}";
    for (const auto& a : slack.acks()) {
        if (const auto* payload = a.ack.if_contains("payload")) {
            help_payload = boost::json::serialize(*payload);
            break;
        }
    }
    long peak_rss_kb = proc_status_kb(pid, "VmHWM");

    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    // The floor, on the same simulator, on the CPU the bot had.
    phases floor;
    double floor_cpu_before = 0, floor_cpu_burst = 0;
    {
        opsbot::bench::floor_client client(slack.api_url(), slack.options().app_token, help_payload, pinned ? 0 : -1);
        slack.wait_for(
            [&] {
                auto c = slack.connections();
                return slack.open_connection_count() == 1 && c.back().open && c.back().hello_at.has_value();
            },
            std::chrono::seconds{10});
        const pid_t floor_thread = client.thread_id();
        floor = measure(
            slack, [&] { floor_cpu_before = cpu_ms(::getpid(), floor_thread); }, [] {},
            [&] { floor_cpu_burst = cpu_ms(::getpid(), floor_thread) - floor_cpu_before; },
            [&] { return cpu_ms(::getpid(), floor_thread); });
    }
    slack.stop();
    fs::remove_all(dir);

    auto b = summarise(burst_ms);
    auto s = summarise(single_ms);
    fmt::print("ack_latency: opsbot run against the Slack simulator on loopback{}\n",
               pinned ? " (the bot on CPU 0, the simulator on CPU 1)" : "");
    fmt::print("  ready (process start -> hello):   {:8.2f} ms   (target < 50 ms)\n", ready_ms);
    fmt::print("  burst of {} /deploy help:       p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} acked{})"
               "   (target p99 < 20 ms)\n",
               burst, b.p50, b.p99, b.max, burst_ms.size(), all_acked ? "" : ", INCOMPLETE");
    fmt::print("      (the simulator wrote the {} envelopes in {:.1f} ms; the last ack arrived {:.1f} ms after the first "
               "was written)\n",
               burst, burst_write_ms, burst_span_ms);
    fmt::print("      (CPU during the burst: the bot {:.1f} ms = {:.1f} us per envelope; the simulator {:.1f} ms on its I/O "
               "thread, {:.1f} ms building the envelopes and {:.1f} ms waiting and reading the results)\n",
               bot_cpu_burst, bot_cpu_burst * 1000.0 / burst, sim_cpu_burst - main_cpu_burst, main_cpu_build,
               main_cpu_burst - main_cpu_build);
    fmt::print("  {} one at a time:                 p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms"
               "   (target p99 < 1 ms)\n",
               single, s.p50, s.p99, s.max);
    fmt::print("      (CPU one at a time: the bot {:.1f} us per envelope)\n", bot.single_cpu_ms * 1000.0 / single);
    auto fb = summarise(floor.burst_ms);
    auto fs1 = summarise(floor.single_ms);
    fmt::print("  floor (a minimal client acking at once with the same {}-byte payload, on the bot's CPU):\n",
               help_payload.size());
    fmt::print("      burst:        p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  ({} acked)\n", fb.p50, fb.p99,
               fb.max, floor.burst_ms.size());
    fmt::print("      (CPU during the burst: the floor {:.1f} ms = {:.1f} us per envelope)\n", floor_cpu_burst,
               floor_cpu_burst * 1000.0 / burst);
    fmt::print("      one at a time: p50 {:7.3f} ms  p99 {:7.3f} ms  max {:7.3f} ms  (CPU: the floor {:.1f} us per envelope)\n",
               fs1.p50, fs1.p99, fs1.max, floor.single_cpu_ms * 1000.0 / single);
    fmt::print("  opsbot / floor: burst p50 {:.2f}x  p99 {:.2f}x;  one at a time p50 {:.2f}x  p99 {:.2f}x"
               "   (target <= 1.3x on both)\n",
               b.p50 / fb.p50, b.p99 / fb.p99, s.p50 / fs1.p50, s.p99 / fs1.p99);
    fmt::print("  RSS idle {:.1f} MB, peak {:.1f} MB   (target idle < 10 MB)\n", idle_rss_kb / 1024.0,
               peak_rss_kb / 1024.0);
    fmt::print("      idle, by mapping (kB resident, anonymous / file-backed): {}\n", idle_rss_parts);
    fmt::print("  exit after SIGTERM: {}\n",
               WIFEXITED(status) ? fmt::format("code {}", WEXITSTATUS(status)) : std::string("killed by a signal"));
    return all_acked ? 0 : 1;
}
