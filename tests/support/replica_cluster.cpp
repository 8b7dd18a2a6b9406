#include "tests/support/replica_cluster.hpp"

#include "tests/support/paths.hpp"

#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/poll_store.hpp"
#include "storage/wait_store.hpp"

#include <algorithm>
#include <fstream>

namespace opsbot::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* url_env = "OPSBOT_REPLICA_TEST_DATABASE_URL";

fake_railway::options railway_options(const cluster_options& o) {
    fake_railway::options out;
    out.deploy_polls = o.deploy_polls;
    return out;
}

std::string stack_description(const sim::slack_simulator& slack, const fake_railway& railway,
                              const fake_health& health, const cluster_options& o) {
    return fmt::format(R"({{
  // written by tests/support/replica_cluster.cpp: replicas on one PostgreSQL
  "slack": {{
    "app_token_env": "SLACK_APP_TOKEN",
    "bot_token_env": "SLACK_BOT_TOKEN",
    "api_url": "{}",
    "ops_channel": "{}",
    "incident_channel": "{}",
  }},
  "database": {{ "url_env": "{}" }},
  "replica_lease": {},
  "shutdown_grace": {},
  "groups": {{ "deployers": ["{}", "{}", "{}", "{}"], "approvers": ["{}", "{}"] }},
  "policies": {{
    "deploy": {{ "run": "deployers", "approve": "approvers", "approvals": 1, "expires_after": "15m" }},
    "rollback": {{ "run": "deployers", "approve": "approvers", "approvals": 1, "expires_after": "15m" }},
    "rotate": {{ "run": "deployers", "approve": "approvers", "approvals": 1, "expires_after": "15m" }},
    "audit": {{ "run": "deployers" }},
  }},
  "services": {{
    {},
  }},
  "secrets": {{
    "SENTRY_DSN": {{ "generate": "manual", "services": ["api"] }},
  }},
}}
)",
                       slack.api_url(), ops_channel, incident_channel, url_env, o.lease.count(),
                       o.shutdown_grace.count(), requester, approver_a, approver_b, non_approver, approver_a,
                       approver_b, api_service_jsonc(railway, health.url()));
}

}  // namespace

cluster::cluster(const std::string& admin_url, cluster_options options)
    : railway(railway_options(options)), lease(options.lease) {
    seed_railway(railway);
    if (options.database_url.empty()) {
        scratch_.emplace(admin_url, "replicas");
        url_ = scratch_->url();
    } else {
        url_ = options.database_url;
    }
    config_ = dir_.path() / "opsbot.jsonc";
    std::ofstream(config_) << stack_description(slack, railway, health, options);
    log_ = dir_.path() / "replicas.log";
    env_ = {"SLACK_APP_TOKEN=" + slack.options().app_token, "SLACK_BOT_TOKEN=" + slack.options().bot_token,
            "RAILWAY_TOKEN=" + railway.settings().token, "HOME=" + dir_.path().string(),
            std::string(url_env) + "=" + url_};
}

cluster::~cluster() {
    replicas_.clear();  // kill -9 what still runs, before the database and the fakes go
}

std::size_t cluster::start() {
    const std::size_t links_before = slack.connections().size();
    replica r;
    r.process = std::make_unique<child_process>(
        std::vector<std::string>{opsbot_binary(), "run", "--config", config_.string()}, env_, log_);
    REQUIRE(r.process->started());
    INFO(read_file(log_));
    REQUIRE(slack.wait_for(
        [&] {
            auto links = slack.connections();
            for (std::size_t i = links_before; i < links.size(); ++i) {
                if (links[i].open && links[i].hello_at) {
                    r.link = links[i].id;
                    return true;
                }
            }
            return false;
        },
        60s));
    replicas_.push_back(std::move(r));
    return replicas_.size() - 1;
}

void cluster::kill(std::size_t replica) {
    auto& process = *replicas_.at(replica).process;
    process.signal(SIGKILL);
    auto code = process.wait(30s);
    REQUIRE(code);
    CHECK(*code == 128 + SIGKILL);
}

void cluster::stop(std::size_t replica) {
    auto& process = *replicas_.at(replica).process;
    process.signal(SIGTERM);
    auto code = process.wait(60s);
    INFO(read_file(log_));
    REQUIRE(code);
    CHECK(*code == 0);
}

void cluster::signal(std::size_t replica, int sig) { replicas_.at(replica).process->signal(sig); }

sim::connection_id cluster::link(std::size_t replica) const { return replicas_.at(replica).link; }

plan_button cluster::plan(const std::string& user, const std::string& command, const std::string& text,
                          const std::string& id, std::size_t replica) {
    this->command(user, command, text, replica);
    std::optional<plan_button> approve;
    REQUIRE(slack.wait_for(
        [&] {
            approve = find_button(slack, id, "approve");
            return approve.has_value();
        },
        60s));
    return *approve;
}

std::string cluster::click(const std::string& user, const plan_button& button, std::size_t replica) {
    return slack.send_block_action(user, button.channel, button.message_ts, button.action_id, button.value,
                                   link(replica));
}

void cluster::command(const std::string& user, const std::string& command, const std::string& text,
                      std::size_t replica) {
    REQUIRE_FALSE(slack.send_slash_command(user, ops_channel, command, text, link(replica)).empty());
}

std::string cluster::answer(const std::string& user, const std::string& command, const std::string& text,
                            std::size_t replica) {
    const std::size_t before = slack.messages("response_url").size();
    const std::string envelope = slack.send_slash_command(user, ops_channel, command, text, link(replica));
    REQUIRE_FALSE(envelope.empty());
    std::string reply;
    REQUIRE(slack.wait_for(
        [&] {
            const auto replies = slack.messages("response_url");
            for (std::size_t i = before; i < replies.size(); ++i) {
                if (replies[i].user == user && !contains(text_of(replies[i]), "Working on")) {
                    reply = text_of(replies[i]);
                    return true;
                }
            }
            // Answered in the ack itself (a quick answer needs no response_url).
            for (const auto& ack : slack.acks_for(envelope)) {
                if (auto payload = ack.ack.if_contains("payload"); payload && payload->is_object()) {
                    if (auto t = payload->as_object().if_contains("text"); t && t->is_string() &&
                                                                           !contains(std::string(t->as_string()),
                                                                                     "Working on")) {
                        reply = std::string(t->as_string());
                        return true;
                    }
                }
            }
            return false;
        },
        60s));
    return reply;
}

std::string cluster::continue_rotation(const std::string& user, const std::string& secret, std::size_t replica) {
    return answer(user, "/rotate", secret + " --continue", replica);
}

std::optional<plan_button> cluster::button(const std::string& id, const std::string& action) const {
    return find_button(slack, id, action);
}

std::string cluster::state_of(const std::string& id) const { return action_state_in(url_, id); }

std::vector<std::string> cluster::audit_events(const std::string& id) const { return audit_events_in(url_, id); }

bool cluster::audit_has_event(const std::string& event) const {
    auto db = open_read_only(url_);
    system_clock clk;
    storage::audit_log audit(*db, clk);
    auto entries = audit.entries();
    return entries && std::any_of(entries->begin(), entries->end(), [&](const auto& e) { return e.event == event; });
}

bool cluster::audit_ok() const { return audit_chain_ok(url_); }

std::size_t cluster::active_locks() const { return active_lock_count(url_); }

std::size_t cluster::waits_stored() const {
    auto db = open_read_only(url_);
    system_clock clk;
    storage::wait_store waits(*db, clk);
    auto all = waits.all();
    return all ? all->size() : 999;
}

std::size_t cluster::polls_stored() const {
    auto db = open_read_only(url_);
    system_clock clk;
    storage::poll_store polls(*db, clk);
    auto count = polls.count();
    return count ? *count : 999;
}

bool cluster::reported_interrupted(const std::string& id) const {
    return contains(incident_text(id), "interrupted");
}

std::string cluster::incident_text(const std::string& id) const {
    std::string out;
    for (const auto& m : messages_in(slack, incident_channel, "chat.postMessage")) {
        const std::string text = text_of(m);
        if (m.thread_ts.empty() && contains(text, id)) {
            out += text + "\n";
        }
    }
    return out;
}

std::string cluster::thread_of(const std::string& id) const {
    auto plan = plan_message(slack, id);
    if (!plan) {
        return {};
    }
    std::string out;
    for (const auto& m : messages_in(slack, ops_channel, "chat.postMessage")) {
        if (m.thread_ts == plan->ts) {
            out += text_of(m) + "\n";
        }
    }
    return out;
}

bool cluster::no_secret_logged() const {
    const std::string logged = read_file(log_);
    return contains(logged, "opsbot starting") && !contains(logged, slack.options().bot_token) &&
           !contains(logged, slack.options().app_token) && !contains(logged, railway.settings().token);
}

command_stream::command_stream(cluster& c) : c_(c), thread_([this] { run(); }) {}

command_stream::~command_stream() { finish(); }

void command_stream::run() {
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return done_ || !paused_; });
            if (done_) {
                return;
            }
            sending_ = true;
        }
        const std::string id = c_.slack.send_slash_command(requester, ops_channel, "/deploy", "help",
                                                           sim::spread_connections);
        {
            std::lock_guard lock(mutex_);
            sent_.push_back(id);
        }
        // Paced by its own ack, as a person types: the next command once this one was answered (or after 5 s). A
        // pause() waits for that too, so that no envelope is in flight to a link about to close.
        c_.slack.wait_for([&] { return id.empty() || !c_.slack.acks_for(id).empty(); }, 5s);
        {
            std::lock_guard lock(mutex_);
            sending_ = false;
        }
        changed_.notify_all();
    }
}

bool command_stream::wait_for_more(std::size_t n) {
    auto acked = [&] {
        std::vector<std::string> ids;
        {
            std::lock_guard lock(mutex_);
            ids = sent_;
        }
        return static_cast<std::size_t>(std::count_if(ids.begin(), ids.end(), [&](const std::string& id) {
            return !id.empty() && !c_.slack.acks_for(id).empty();
        }));
    };
    std::size_t target = 0;
    {
        std::lock_guard lock(mutex_);
        target = seen_acked_ + n;
    }
    std::size_t now = 0;
    bool reached = c_.slack.wait_for(
        [&] {
            now = acked();
            return now >= target;
        },
        60s);
    std::lock_guard lock(mutex_);
    seen_acked_ = now;
    return reached;
}

void command_stream::pause() {
    std::unique_lock lock(mutex_);
    paused_ = true;
    changed_.wait(lock, [&] { return !sending_; });
}

void command_stream::resume() {
    {
        std::lock_guard lock(mutex_);
        paused_ = false;
    }
    changed_.notify_all();
}

void command_stream::finish() {
    {
        std::lock_guard lock(mutex_);
        if (done_) {
            return;
        }
        done_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

std::size_t command_stream::sent() const {
    std::lock_guard lock(mutex_);
    return sent_.size();
}

std::vector<std::string> command_stream::unanswered() const {
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        ids = sent_;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        bool answered = false;
        for (const auto& ack : c_.slack.acks_for(ids[i])) {
            auto payload = ack.ack.if_contains("payload");
            answered = answered || (payload != nullptr && payload->is_object() &&
                                    (payload->as_object().contains("text") || payload->as_object().contains("blocks")));
        }
        if (ids[i].empty() || !answered) {
            out.push_back(ids[i].empty() ? fmt::format("#{} (no live link took it)", i + 1) : ids[i]);
        }
    }
    return out;
}

}  // namespace opsbot::testing
