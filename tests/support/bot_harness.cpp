#include "tests/support/bot_harness.hpp"

#include "storage/postgres_connection.hpp"

#include "demo/render.hpp"

#include "bot/platform_factory.hpp"
#include "bot/runtime.hpp"
#include "storage/action_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "storage/lock_store.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <set>

namespace opsbot::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto settle_limit = 60s;

// Tokens the fakes accept by default; the bot reads them through the factory's env lookup.
std::optional<std::string> fake_env(const std::string& name) {
    if (name == "VERCEL_TOKEN") {
        return "vercel-test-token";
    }
    if (name == "RAILWAY_TOKEN") {
        return "railway-test-token";
    }
    // The default tokens of fake_sentry and fake_betterstack, for tests that configure monitoring.
    if (name == "SENTRY_API_TOKEN") {
        return "sntrys_fake_token_0123456789";
    }
    if (name == "BETTERSTACK_TOKEN") {
        return "bs_fake_token_0123456789";
    }
    return std::nullopt;
}

void collect_text(const boost::json::value& v, std::string& out) {
    if (v.is_object()) {
        for (const auto& [key, value] : v.get_object()) {
            if (key == "text" && value.is_string()) {
                out += std::string(value.get_string()) + "\n";
            } else {
                collect_text(value, out);
            }
        }
    } else if (v.is_array()) {
        for (const auto& e : v.get_array()) {
            collect_text(e, out);
        }
    }
}


}  // namespace

stack_config harness_config(const std::string& slack_api_url, const std::string& database, const fake_vercel* vercel,
                            const fake_railway* railway, const fake_health* health, const harness_options& options) {
    stack_config c;
    c.slack.api_url = slack_api_url;
    c.slack.ops_channel = ops_channel;
    c.slack.incident_channel = incident_channel;
    c.slack.audit_channel = audit_channel;
    c.database = database;
    c.groups["deployers"] = {requester, approver_a, approver_b, non_approver};
    c.groups["approvers"] = {approver_a, approver_b, approver_c};
    policy_config rollback;
    rollback.run = "deployers";
    rollback.approve = "approvers";
    rollback.approvals = options.approvals;
    rollback.expires_after = options.expires_after;
    c.policies["rollback"] = rollback;
    c.policies["deploy"].run = "deployers";
    c.policies["audit"].run = "deployers";
    if (vercel != nullptr) {
        service_config web;
        web.name = "web";
        web.platform = opsbot::platform_kind::vercel;
        web.api_url = vercel->base_url();
        web.token_env = "VERCEL_TOKEN";
        web.project_id = vercel->settings().project_id;
        web.team_id = vercel->settings().team_id;
        web.url = "https://app.example.test";
        c.services["web"] = web;
    }
    if (railway != nullptr) {
        service_config api = railway->service("api");
        api.token_env = "RAILWAY_TOKEN";
        if (health != nullptr) {
            api.health_url["production"] = health->url();
        }
        c.services["api"] = api;
    }
    return c;
}

void site_down_with_two_checks(stack_config& c) {
    c.policies["incident"].run = "deployers";
    const std::string health = c.services.at("api").health_url.at("production");
    c.services.at("web").url = health;
    c.services.at("web").health_url["production"] = health;
}

void seed_vercel(fake_vercel& vercel) {
    const std::int64_t base = 1'764'000'000'000;
    fake_vercel_deployment old{"dpl_Old1", base, "READY", "", "production", "1111111aaaa", "main", true, "web"};
    fake_vercel_deployment prev{vercel_target, base + 3'600'000, "READY", "", "production", "2222222bbbb", "main", true,
                                "web"};
    fake_vercel_deployment preview{"dpl_Preview9", base + 5'000'000, "READY", "", "", "9999999ffff", "feat", false, "web"};
    fake_vercel_deployment live{vercel_live, base + 7'200'000, "READY", "PROMOTED", "production", "3333333cccc", "main",
                                true, "web"};
    for (auto& d : {old, prev, preview, live}) {
        vercel.add_deployment(d);
    }
}

void seed_railway(fake_railway& railway) {
    const auto make = &seeded_railway_deployment;
    railway.add_deployment(make("rw-old-1", "2026-11-20T10:00:00.000Z", "REMOVED", true, "aaaaaaa1111"));
    // The replaced deployment is REMOVED but still a rollback target (docs/platforms.md §2.2).
    railway.add_deployment(make(railway_target, "2026-11-22T10:00:00.000Z", "REMOVED", true, "bbbbbbb2222"));
    railway.add_deployment(make("rw-failed-3", "2026-11-24T10:00:00.000Z", "FAILED", false, "ccccccc3333"));
    railway.add_deployment(make(railway_live, "2026-11-26T10:00:00.000Z", "SUCCESS", false, "ddddddd4444"));
}

std::string text_of(const sim::recorded_message& message) {
    std::string out = message.text + "\n";
    collect_text(message.blocks, out);
    return out;
}

std::optional<sim::recorded_message> plan_message(const sim::slack_simulator& slack, const std::string& action) {
    auto all = slack.messages();
    std::optional<std::pair<std::string, std::string>> where;
    for (const auto& m : all) {
        if (m.kind == "chat.postMessage" && demo::header_text(m.blocks).starts_with(action + " · ")) {
            where = std::make_pair(m.channel, m.ts);
            break;
        }
    }
    if (!where) {
        return std::nullopt;
    }
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if ((it->kind == "chat.postMessage" || it->kind == "chat.update") && it->channel == where->first &&
            it->ts == where->second) {
            return *it;
        }
    }
    return std::nullopt;
}

std::optional<plan_button> find_button(const sim::slack_simulator& slack, const std::string& action,
                                       const std::string& button) {
    auto message = plan_message(slack, action);
    if (!message) {
        return std::nullopt;
    }
    std::string value = demo::find_button_value(message->blocks, action, button);
    if (value.empty()) {
        return std::nullopt;
    }
    return plan_button{message->channel, message->ts, button, value};
}

std::vector<sim::recorded_message> messages_in(const sim::slack_simulator& slack, const std::string& channel,
                                               const std::string& kind) {
    std::vector<sim::recorded_message> out;
    for (auto& m : slack.messages(kind)) {
        if (channel.empty() || m.channel == channel) {
            out.push_back(std::move(m));
        }
    }
    return out;
}

std::unique_ptr<storage::database> open_read_only(const std::string& where) {
    if (where.starts_with("postgresql://") || where.starts_with("postgres://")) {
        auto conn = storage::open_postgres(where);
        if (!conn) {
            throw std::runtime_error("cannot open the test's PostgreSQL database: " + conn.error().message);
        }
        return std::make_unique<storage::database>(std::move(*conn), "test PostgreSQL database",
                                                   storage::open_mode::read_only);
    }
    return std::make_unique<storage::database>(where, storage::open_mode::read_only);
}

std::string action_state_in(const std::string& db_path, const std::string& action) {
    auto opened = open_read_only(db_path);
    storage::database& db = *opened;
    system_clock clk;
    storage::action_store actions(db, clk);
    auto record = actions.get(action_id(action));
    return record ? std::string(storage::to_string(record->state)) : "missing: " + record.error().message;
}

std::vector<std::string> audit_events_in(const std::string& db_path, const std::string& action) {
    auto opened = open_read_only(db_path);
    storage::database& db = *opened;
    system_clock clk;
    storage::audit_log audit(db, clk);
    auto entries = audit.for_action(action_id(action));
    std::vector<std::string> out;
    if (entries) {
        for (const auto& e : *entries) {
            out.push_back(e.event);
        }
    }
    return out;
}

bool audit_chain_ok(const std::string& db_path) {
    auto opened = open_read_only(db_path);
    storage::database& db = *opened;
    system_clock clk;
    storage::audit_log audit(db, clk);
    auto verified = audit.verify();
    if (!verified) {
        UNSCOPED_INFO("audit verify failed: " << verified.error().message);
        return false;
    }
    if (!verified->ok()) {
        UNSCOPED_INFO("audit chain broken at " << *verified->broken_seq << ": " << verified->reason);
    }
    return verified->ok() && verified->entries > 0;
}

size_t active_lock_count(const std::string& db_path) {
    auto opened = open_read_only(db_path);
    storage::database& db = *opened;
    system_clock clk;
    storage::lock_store locks(db, clk);
    auto active = locks.list_active();
    return active ? active->size() : 999;
}

temp_dir::temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() / fmt::format("opsbot-e2e-{}-{}", ::getpid(), counter++);
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

namespace {

fake_railway::options railway_options(const harness_options& o) {
    fake_railway::options r;
    r.deploy_polls = o.railway_deploy_polls;
    return r;
}

}  // namespace

bot_harness::bot_harness(harness_options options)
    : options_(options),
      db_path_((dir_.path() / "opsbot.db").string()),
      railway_(railway_options(options)) {
    spdlog::set_level(spdlog::level::warn);
    seed_vercel(vercel_);
    seed_railway(railway_);
    config_ = harness_config(slack_.api_url(), db_path_, &vercel_, &railway_, &health_, options_);
    if (options_.configure) {
        options_.configure(config_);
    }
    launch();
}

void bot_harness::launch() {
    bot::runtime_options ro;
    ro.poll_interval = 5ms;
    ro.request_threads = options_.request_threads;
    ro.execution_threads = options_.execution_threads;
    ro.expiry_sweep_interval = options_.expiry_sweep_interval;
    ro.watch_tick_interval = options_.watch_tick_interval;
    ro.families = options_.families;
    if (options_.manual_time) {
        ro.clk = &clock_;
    }
    auto registry = bot::make_platform_registry(config_, fake_env);
    if (options_.platforms) {
        options_.platforms(registry);  // e.g. secret providers pointed at the provider fakes (rotate tests)
    }
    bot_ = std::make_unique<bot::runtime>(config_, bot::slack_tokens{slack_.options().app_token, slack_.options().bot_token},
                                          std::move(registry), ro);
    serving_ = std::thread([this] { bot_->run(); });
    if (!bot_->wait_ready(20s)) {
        bot_->stop();
        serving_.join();
        FAIL("the bot did not connect to the Slack simulator");
    }
}

std::optional<uint16_t> bot_harness::ops_http_port() const { return bot_->ops_http_port(); }

void bot_harness::restart(const std::function<void()>& while_down) {
    bot_->stop();
    serving_.join();
    bot_.reset();
    if (while_down) {
        while_down();
    }
    sent_ = 0;  // the new runtime counts its envelopes from zero
    launch();
}

void bot_harness::tick_watches() {
    bot_->tick_watches();
}

void bot_harness::tick_audit_head() {
    bot_->tick_audit_head();
}

bot_harness::~bot_harness() {
    bot_->stop();
    serving_.join();
    bot_.reset();
    slack_.stop();
}

void bot_harness::settle() {
    if (!bot_->wait_settled(sent_, settle_limit)) {
        FAIL("the bot did not settle after " << sent_ << " envelopes");
    }
}

std::string bot_harness::command(const std::string& user, const std::string& command, const std::string& text,
                                 const std::string& channel) {
    auto id = slack_.send_slash_command(user, channel, command, text);
    REQUIRE_FALSE(id.empty());
    ++sent_;
    settle();
    return id;
}

std::string bot_harness::click_now(const std::string& user, const plan_button& b) {
    auto id = slack_.send_block_action(user, b.channel, b.message_ts, b.action_id, b.value);
    REQUIRE_FALSE(id.empty());
    ++sent_;
    return id;
}

std::string bot_harness::click(const std::string& user, const std::string& action, const std::string& which) {
    auto b = button(action, which);
    if (!b) {
        FAIL("no [" << which << " " << action << "] button is showing");
    }
    auto id = click_now(user, *b);
    settle();
    return id;
}

std::vector<sim::recorded_message> bot_harness::ephemerals_for(const std::string& user) const {
    std::vector<sim::recorded_message> out;
    for (auto& m : slack_.messages("chat.postEphemeral")) {
        if (m.user == user) {
            out.push_back(std::move(m));
        }
    }
    return out;
}

size_t bot_harness::vercel_mutations() const {
    const auto project = "/v1/projects/" + vercel_.settings().project_id + "/rollback/";
    const auto promote = "/v10/projects/" + vercel_.settings().project_id + "/promote/";
    return vercel_.count("POST", project) + vercel_.count("POST", promote);
}

}  // namespace opsbot::testing
