#include "demo/demo.hpp"

#include "demo/render.hpp"
#include "bot/logging.hpp"
#include "bot/runtime.hpp"
#include "bot/platform_factory.hpp"
#include "demo/sandbox_platforms.hpp"
#include "demo/sandbox_secret_providers.hpp"
#include "sim/slack_simulator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace opsbot::demo {
namespace {

constexpr std::string_view banner = R"(opsbot demo — the real bot against a built-in Slack simulator.
Platforms are SANDBOX implementations: nothing real is deployed, rolled back or rotated.

Users: U01 (deployer), U02 and U03 (deployers and approvers). Commands run in #C0OPS (the ops
channel); the incident channel is #C0INCIDENT. Type a user id and what that user sends:

  U01: /deploy help
  U01: /rollback web --dry-run
  U01: /rollback web
  U02: click approve A-1          (buttons show as [Approve A-1])
  U01@C0RANDOM: /rollback api     (send from another channel)
  home U02                        (U02 opens the app's Home tab; it prints as text)

`help` shows this again; `quit` or Ctrl-D ends the demo.
)";

std::string where(const sim::recorded_message& m) {
    if (m.kind == "chat.postEphemeral") {
        return fmt::format("#{} (only {} sees this)", m.channel, m.user);
    }
    if (m.kind == "response_url") {
        return fmt::format("reply to {}", m.user.empty() ? "the requester" : m.user);
    }
    std::string out = "#" + m.channel;
    if (!m.thread_ts.empty()) {
        out += " (thread)";
    }
    if (m.kind == "chat.update") {
        out += " (message updated)";
    }
    return out;
}

/// The button `button` of action `action` on the newest version of any message (a decided request's
/// message loses its buttons when it is updated).
std::optional<std::pair<sim::recorded_message, std::string>> find_button(const sim::slack_simulator& slack,
                                                                         const std::string& action,
                                                                         const std::string& button) {
    auto messages = slack.messages();
    std::set<std::pair<std::string, std::string>> seen;
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
        if (it->ts.empty() || !seen.emplace(it->channel, it->ts).second) {
            continue;  // not a channel message, or an older version of one already looked at
        }
        if (std::string value = find_button_value(it->blocks, action, button); !value.empty()) {
            return std::make_pair(*it, value);
        }
    }
    return std::nullopt;
}

struct demo_line {
    std::string user;
    std::string channel;
    std::string rest;
};

std::optional<demo_line> parse_line(const std::string& line, const std::string& default_channel) {
    auto colon = line.find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    demo_line out;
    std::string who = line.substr(0, colon);
    auto at = who.find('@');
    out.user = who.substr(0, at);
    out.channel = at == std::string::npos ? default_channel : who.substr(at + 1);
    out.rest = line.substr(colon + 1);
    auto first = out.rest.find_first_not_of(' ');
    out.rest = first == std::string::npos ? "" : out.rest.substr(first);
    if (out.user.empty() || out.user[0] != 'U' || out.rest.empty()) {
        return std::nullopt;
    }
    return out;
}

/// `home U02`: the user opens the app's Home tab (an `app_home_opened` event); the view the bot publishes for them
/// prints as text once it arrives (issue 15 item 5).
void show_home(sim::slack_simulator& slack, const std::string& user, uint64_t& sent, std::mutex& print_mutex) {
    if (!user.starts_with("U")) {
        std::lock_guard lock(print_mutex);
        std::cout << "type `home U02` (a user id)\n";
        return;
    }
    const auto publishes = [&] {
        auto all = slack.messages("views.publish");
        return std::count_if(all.begin(), all.end(), [&](const auto& m) { return m.user == user; });
    };
    const auto before = publishes();
    if (slack.send_app_home_opened(user).empty()) {
        std::lock_guard lock(print_mutex);
        std::cout << "the bot is not connected\n";
        return;
    }
    ++sent;
    const bool arrived = slack.wait_for([&] { return publishes() > before; }, std::chrono::seconds{10});
    auto view = slack.home_view(user);
    std::lock_guard lock(print_mutex);
    if (!arrived || !view) {
        std::cout << "(no Home tab was published for " << user << ")\n";
        return;
    }
    std::cout << "\n── opsbot → Home tab of " << user << "\n" << render_for_terminal(*view) << std::flush;
}

}  // namespace

int run_demo(const std::vector<std::string>& /*args*/) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / fmt::format("opsbot-demo-{}", ::getpid());
    fs::create_directories(dir);

    sim::slack_simulator slack;
    stack_config config = demo_config(slack.api_url(), (dir / "opsbot.db").string());
    bot::init_logging(&config, spdlog::level::err);

    system_clock clk;
    sandbox_platforms sandboxes = make_sandbox_platforms(clk);
    commands::platform_registry registry;
    registry.label = "sandbox platforms (demo)";
    registry.deploy["web"] = std::move(sandboxes.vercel);
    registry.deploy["api"] = std::move(sandboxes.railway);
    registry.health = std::move(sandboxes.health);
    registry.secret_providers = make_sandbox_secret_providers(config.secrets);
    bot::set_env_names(registry);

    bot::runtime_options options;
    options.poll_interval = std::chrono::milliseconds{200};
    bot::runtime bot(config, {slack.options().app_token, slack.options().bot_token}, std::move(registry), options);

    std::mutex print_mutex;
    slack.on_message([&](const sim::recorded_message& m) {
        if (m.kind == "views.publish") {
            return;  // a Home tab prints when `home Uxx` asks for it; its refreshes stay quiet
        }
        boost::json::object shown = m.body;
        std::lock_guard lock(print_mutex);
        std::cout << "\n── opsbot → " << where(m) << "\n" << render_for_terminal(shown) << std::flush;
    });

    std::thread serving([&] { bot.run(); });
    if (!bot.wait_ready(std::chrono::seconds{10})) {
        std::cerr << "opsbot demo: the bot did not connect to the simulator\n";
        bot.stop();
        serving.join();
        return 1;
    }
    {
        std::lock_guard lock(print_mutex);
        std::cout << banner << "\n> " << std::flush;
    }
    uint64_t sent = 0;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line == "quit" || line == "exit") {
            break;
        }
        if (line == "help") {
            std::lock_guard lock(print_mutex);
            std::cout << banner;
        } else if (line.starts_with("home ")) {
            const std::string user = line.substr(5, line.find_first_of(' ', 5) - 5);
            show_home(slack, user, sent, print_mutex);
        } else if (auto parsed = parse_line(line, config.slack.ops_channel)) {
            std::string envelope;
            if (parsed->rest.starts_with("/")) {
                auto space = parsed->rest.find(' ');
                std::string command = parsed->rest.substr(0, space);
                std::string text = space == std::string::npos ? "" : parsed->rest.substr(space + 1);
                envelope = slack.send_slash_command(parsed->user, parsed->channel, command, text);
            } else if (parsed->rest.starts_with("click ")) {
                std::string button;
                std::string action;
                std::istringstream words(parsed->rest.substr(6));
                words >> button >> action;
                auto found = find_button(slack, action, button);
                if (!found) {
                    std::lock_guard lock(print_mutex);
                    std::cout << "no [" << button << " " << action << "] button is showing\n";
                } else {
                    envelope = slack.send_block_action(parsed->user, found->first.channel, found->first.ts, button,
                                                       found->second);
                }
            } else {
                std::lock_guard lock(print_mutex);
                std::cout << "type `U01: /deploy help` or `U02: click approve A-1` (`help` for more)\n";
            }
            if (!envelope.empty()) {
                ++sent;
                // A slash command's first answer travels in the ack itself (docs/slack.md §1.4).
                if (slack.wait_for([&] { return !slack.acks_for(envelope).empty(); }, std::chrono::seconds{10})) {
                    const boost::json::object ack = slack.acks_for(envelope).front().ack;
                    if (const auto* payload = ack.if_contains("payload"); payload != nullptr && payload->is_object()) {
                        std::lock_guard lock(print_mutex);
                        std::cout << "\n── opsbot → reply to " << parsed->user << "\n"
                                  << render_for_terminal(payload->get_object()) << std::flush;
                    }
                }
                if (!bot.wait_settled(sent, std::chrono::seconds{60})) {
                    std::lock_guard lock(print_mutex);
                    std::cout << "(the bot is still working; its answer will appear when ready)\n";
                }
            }
        } else if (!line.empty()) {
            std::lock_guard lock(print_mutex);
            std::cout << "type `U01: /deploy help` or `U02: click approve A-1` (`help` for more)\n";
        }
        std::lock_guard lock(print_mutex);
        std::cout << "> " << std::flush;
    }
    bot.stop();
    serving.join();
    slack.stop();
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    std::cout << "\nopsbot demo: stopped\n";
    return 0;
}

}  // namespace opsbot::demo
