#include "bot/runtime.hpp"

#include "adapters/http_client.hpp"
#include "bot/action_flow.hpp"
#include "bot/app.hpp"
#include "bot/families.hpp"
#include "bot/home_tab.hpp"
#include "bot/audit_head.hpp"
#include "bot/ops_http/ops_http.hpp"
#include "bot/post_deploy_watch.hpp"
#include "bot/slack/web_api.hpp"
#include "commands/database/backup_plan.hpp"
#include "commands/rotate/continue_board.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "core/thread_pool.hpp"
#include "metrics/opsbot_metrics.hpp"
#include "storage/database.hpp"
#include "storage/open_database.hpp"
#include "storage/ops_gauges.hpp"
#include "storage/replica_store.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <random>
#include <thread>

namespace opsbot::bot {

namespace {

std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds{0});
}

// This process among the replicas sharing the database (storage/replica_store.hpp): random, so a restarted process
// is a new replica and its predecessor's work is taken over like any dead replica's.
std::string new_replica_id() {
    std::random_device rd;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string id = "r-";
    for (int i = 0; i < 12; ++i) {
        id += "0123456789abcdef"[hex(rd)];
    }
    return id;
}

}  // namespace

struct runtime::parts {
    parts(const stack_config& cfg, slack_tokens tokens, commands::platform_registry registry, runtime_options opts)
        : families(opts.families != nullptr ? *opts.families : opsbot_families()),
          config(cfg),
          options(opts),
          clk(opts.clk != nullptr ? *opts.clk : default_clock),
          http(adapters::make_http_client(http_options(opts))),
          slack(*http, config.slack.api_url, tokens.bot_token, tokens.app_token),
          owned_db(storage::open_database(config)),
          db(*owned_db),
          replicas(db, clk, config.replica_lease),
          platforms(std::move(registry)),
          board(clk),
          context{config, platforms, &db, clk, &board, &families.steps()},
          home(home_tab_deps{.config = config, .db = db, .clk = clk, .platforms = platforms, .slack = slack,
                             .pool = requests}),
          calls(opts.call_threads),
          requests(opts.request_threads, [this] { commands::use_call_pool(&calls); }),
          executions(opts.execution_threads, [this] { commands::use_call_pool(&calls); }),
          watcher(config, db, clk, platforms, slack),
          flow(action_flow_deps{config, db, clk, platforms, families, slack, executions,
                                [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
                                opts.poll_interval, &watcher, &board, opts.poll_clk,
                                [this] { home.on_state_changed(); }}),
          heads(config, db, clk, slack),
          behaviour(context, families, slack, requests, executions, flow, &home),
          client(opts.socket, hooks()) {
        // Commands that reach the databases (backups, migrations) record into the bot's own audit log.
        if (!platforms.database) {
            platforms.database = commands::make_database_tools(config, &db);
        }
        platforms.config = &config;
        platforms.audit_db = &db;
        db.set_replica(replica_id);
        heads.only_while([this] {
            auto leads = replicas.leads(replica_id);
            return leads && *leads;
        });
    }

    // A job still on a worker when the runtime goes (run() returned with its grace over and the workers not joined,
    // then an in-process restart, as the test harness does) must not outlive the flow it runs in. The flow is
    // declared after the pools, so it would be destroyed before their destructors join them: they are joined here,
    // first. bot/cli.cpp leaves the process instead of destroying a runtime whose workers are stuck.
    ~parts() {
        requests.shutdown();
        executions.shutdown();
        calls.discard_queued();
        calls.shutdown();
    }
    parts(const parts&) = delete;
    parts& operator=(const parts&) = delete;

    static adapters::http_options http_options(const runtime_options& options) {
        adapters::http_options out;
        out.verify_tls = options.verify_tls;
        out.default_platform = "slack";  // this client calls the Slack Web API only
        return out;
    }

    socket_mode_hooks hooks() {
        socket_mode_hooks h;
        h.open_connection = [this] { return slack.open_connection(); };
        h.ack_payload = [this](const envelope& env) { return behaviour.ack_payload(env); };
        h.on_envelope = [this](envelope env) { behaviour.on_envelope(std::move(env)); };
        return h;
    }

    // The operators' endpoint (issue 15 item 1), when http.listen is configured; its handlers run on its own thread.
    void start_ops_http() {
        ops_http_handlers h;
        h.not_ready = [this]() -> std::optional<std::string> {
            if (!client.link_up()) {
                return "the Slack link is down (no current Socket Mode connection has said hello)";
            }
            if (auto read = storage::read_ops_gauges(db, clk.now()); !read) {
                return "the database does not answer (" + read.error().message + ")";
            }
            return std::nullopt;
        };
        h.metrics = [this] {
            const auto& m = metrics::opsbot();
            if (auto read = storage::read_ops_gauges(db, clk.now())) {
                m.locks_held.with().set(static_cast<double>(read->locks_held));
                m.audit_head_sequence.with().set(static_cast<double>(read->audit_head_sequence));
                m.watches_running.with().set(static_cast<double>(read->watches_running));
            }
            return metrics::default_registry().render();
        };
        ops = std::make_unique<ops_http_server>(config.http->host, config.http->port, std::move(h));
        ops_port = ops->port();
        spdlog::info("ops http: serving /healthz, /readyz and /metrics on {}:{}", config.http->host, ops->port());
    }

    // Marks expired requests now and then; the click path checks expiry itself, so this is only tidiness.
    void sweep_loop() {
        std::unique_lock lock(sweep_mutex);
        while (!sweep_cv.wait_for(lock, options.expiry_sweep_interval, [this] { return stopping; })) {
            lock.unlock();
            flow.sweep_expired();
            behaviour.forget_old_envelopes();
            lock.lock();
        }
    }

    // Asks the post-deploy watches and the audit head, now and then, whether something is due by the injected clock.
    void watch_loop() {
        std::unique_lock lock(sweep_mutex);
        while (!sweep_cv.wait_for(lock, options.watch_tick_interval, [this] { return stopping; })) {
            lock.unlock();
            watcher.tick();
            heads.tick();
            lock.lock();
        }
    }

    // Replicas (issue 14 item 2): registers this process, then every lease/3 renews its lease and takes over the work
    // of replicas whose lease ran out. Heartbeats go on through the shutdown grace (the work accepted still runs
    // here); takeovers stop when the shutdown begins.
    void start_replica() {
        spdlog::info("replica {}: lease {} ms, renewed every {} ms", replica_id, replicas.lease().count(),
                     (replicas.lease() / 3).count());
        if (auto enrolled = replicas.enrol(replica_id); !enrolled) {
            // Not fatal: the first heartbeat registers it again.
            spdlog::error("replica {}: could not register: {}", replica_id, enrolled.error().message);
        }
    }

    // A stop: this replica's remaining work (stored waits and polls) is for another replica to take over now, not
    // after its lease; on SQLite, for the next start.
    void leave_replicas() {
        if (auto left = replicas.leave(replica_id); !left) {
            spdlog::error("replica {}: could not deregister: {}", replica_id, left.error().message);
        }
    }

    // At start (docs/design.md "Runtime model"). On SQLite the instance lock proves every earlier process dead, so
    // all their work is taken over at once, as the start-up recovery always did; on PostgreSQL other replicas may be
    // alive, so only the work of those whose lease ran out.
    void recover_at_startup() {
        if (db.backend() == storage::sql::backend::sqlite) {
            auto taken = replicas.take_over_all_but(replica_id, restart_reason);
            if (!taken) {
                spdlog::error("could not check for interrupted actions: {}", taken.error().message);
                return;
            }
            flow.recover_at_startup(*taken);
            return;
        }
        take_over_expired();
    }

    void take_over_expired() {
        auto taken = replicas.take_over_expired(replica_id, dead_replica_reason);
        if (!taken) {
            spdlog::error("replica {}: could not look for dead replicas' work: {}", replica_id, taken.error().message);
            return;
        }
        flow.take_over(*taken);
    }

    void replica_loop() {
        std::unique_lock lock(sweep_mutex);
        const auto every = std::max(replicas.lease() / 3, std::chrono::milliseconds{1});
        while (!sweep_cv.wait_for(lock, every, [this] { return polls_stopping; })) {
            const bool taking = !stopping;
            lock.unlock();
            // Only a replica whose own lease held takes others' work over: one that was cut off itself (the database
            // gone for longer than the lease, the process paused) sees every lease run out, though the others may
            // only have been cut off as it was. They renew within a third of the lease; it looks again then.
            bool lease_held = false;
            if (auto beat = replicas.heartbeat(replica_id); !beat) {
                spdlog::error("replica {}: could not renew its lease: {}", replica_id, beat.error().message);
            } else if (!*beat) {
                spdlog::warn("replica {}: its lease had run out before this heartbeat; another replica may have "
                             "taken its work over, and it takes nothing over before its next heartbeat",
                             replica_id);
            } else {
                lease_held = true;
            }
            if (taking && lease_held) {
                take_over_expired();
            }
            lock.lock();
        }
    }

    // The poll timer: steps waiting for a platform are stored polls (bot/actions/platform_poll.cpp); every
    // poll_interval it hands the due ones to the execution pool. Each sweep is counted, for wait_settled.
    void poll_loop() {
        std::unique_lock lock(sweep_mutex);
        while (!sweep_cv.wait_for(lock, options.poll_interval, [this] { return polls_stopping; })) {
            lock.unlock();
            flow.sweep_polls();
            lock.lock();
            ++poll_sweeps;
            polls_swept.notify_all();
        }
    }

    // When the shutdown began: the first stop(), or the link's end for another reason. The grace counts from it.
    void note_shutdown() {
        std::lock_guard lock(sweep_mutex);
        if (!shutdown_at) {
            shutdown_at = std::chrono::steady_clock::now();
        }
    }
    std::chrono::steady_clock::time_point shutdown_began() {
        note_shutdown();
        std::lock_guard lock(sweep_mutex);
        return *shutdown_at;
    }

    // Shutdown: true once the request and execution pools are idle and no step waits for a platform (the poll timer
    // goes on meanwhile), false when `deadline` came first. No sleeps: idle waits, and each poll sweep wakes it.
    bool settle_until(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            if (!requests.wait_idle_for(remaining(deadline)) || !executions.wait_idle_for(remaining(deadline))) {
                return false;
            }
            if (!flow.polls_pending()) {
                return true;
            }
            std::unique_lock lock(sweep_mutex);
            const auto seen = poll_sweeps;
            if (!polls_swept.wait_until(lock, deadline, [&] { return poll_sweeps != seen; })) {
                return false;
            }
        }
    }

    void stop_polls() {
        {
            std::lock_guard lock(sweep_mutex);
            polls_stopping = true;
        }
        sweep_cv.notify_all();
    }

    const commands::family_set& families;
    const stack_config& config;
    runtime_options options;
    system_clock default_clock;
    const clock& clk;
    std::unique_ptr<adapters::http_client> http;
    web_api slack;
    /// The SQLite file or PostgreSQL database the config names (storage/open_database.hpp); `db` is it.
    std::unique_ptr<storage::database> owned_db;
    storage::database& db;
    const std::string replica_id = new_replica_id();
    storage::replica_store replicas;
    static constexpr const char* restart_reason = "opsbot restarted before the action finished; it was not re-run";
    static constexpr const char* dead_replica_reason =
        "the opsbot replica running the action stopped (its lease ran out) before it finished; it was not re-run";
    commands::platform_registry platforms;
    commands::continue_board board;  ///< `/rotate SECRET --continue` meets the waiting rotation here
    commands::command_context context;
    /// The App Home tab (issue 15 item 5). Before the pools: its jobs run on `requests`, joined before it goes.
    home_tab home;
    // Declared after what their jobs use (config, database, platforms), so they are joined before those go.
    thread_pool calls;       ///< concurrent platform calls of the commands
    thread_pool requests;    ///< answers, plan building, clicks
    thread_pool executions;  ///< approved actions running
    post_deploy_watch watcher;
    action_flow flow;
    audit_head_publisher heads;  ///< the audit head, posted at start and daily (issue 12)
    app behaviour;
    socket_mode_client client;
    std::mutex sweep_mutex;
    std::condition_variable sweep_cv;
    std::condition_variable polls_swept;  ///< poll_sweeps moved (or stopping)
    std::uint64_t poll_sweeps = 0;
    bool stopping = false;        ///< the expiry sweeper and the ticker end
    bool polls_stopping = false;  ///< the poll timer ends: after the shutdown grace (settle_until)
    std::optional<std::chrono::steady_clock::time_point> shutdown_at;
    bool left_running = false;  ///< run() returned with steps still running on workers (left_work_running)
    std::unique_ptr<ops_http_server> ops;  ///< last: stopped before what its handlers read
    std::atomic<int> ops_port{-1};
};

runtime::runtime(const stack_config& config, slack_tokens tokens, commands::platform_registry platforms,
                 runtime_options options)
    : parts_(std::make_unique<parts>(config, std::move(tokens), std::move(platforms), options)) {}

runtime::~runtime() = default;

int runtime::run() {
    auto& p = *parts_;
    if (p.config.http) {
        try {
            p.start_ops_http();
        } catch (const std::exception& e) {
            spdlog::critical("http.listen: {}", e.what());
            std::cerr << "opsbot: http.listen: " << e.what() << "\n";
            return 1;  // a bad configuration or environment (docs/design.md "The command line")
        }
    }
    // Never re-run silently what a previous process left running (docs/design.md "Runtime model"). Done here, before
    // the Socket Mode link opens: run late, it could mark interrupted (and unlock) an action a click of this
    // process had just started (model/README.md, tests/integration/startup_order_test.cpp). Then publish the head
    // of the audit log, which the recovery may have moved.
    p.start_replica();
    p.recover_at_startup();
    p.executions.post([&p] { p.heads.publish_now(); });
    // Watches a previous run left are resumed; one whose window passed meanwhile is checked once and closed.
    p.executions.post([&p] { p.watcher.resume_at_startup(); });
    std::thread sweeper([&p] { p.sweep_loop(); });
    std::thread ticker([&p] { p.watch_loop(); });
    std::thread poller([&p] { p.poll_loop(); });
    std::thread renewer([&p] { p.replica_loop(); });
    // Graceful shutdown (issue 15 item 4). Taking no new work means closing the Socket Mode link once the acks in
    // flight are written (socket_mode_client::stop), rather than keeping it open to answer "shutting down": Slack
    // then delivers new envelopes to another open connection (a replica, or this service once restarted) where
    // they are served, instead of to a process that would only refuse them.
    socket_mode_exit exit = p.client.run();
    const auto deadline = p.shutdown_began() + p.config.shutdown_grace;
    p.board.close();  // a rotation waiting for `--continue` ends now instead of holding shutdown for hours
    {
        std::lock_guard lock(p.sweep_mutex);
        p.stopping = true;
    }
    p.sweep_cv.notify_all();
    p.polls_swept.notify_all();
    sweeper.join();
    ticker.join();
    // Work already accepted (acknowledged) goes on for the grace: running steps, and steps waiting for a platform,
    // which the poll timer still polls. A wait for a person is stored and holds nothing: it is not waited for.
    const bool settled = p.settle_until(deadline);
    p.stop_polls();
    poller.join();  // before the pools: no poll is handed to a pool that shuts down (stored polls wait for the next start)
    renewer.join();  // the work accepted has settled (or its grace ran out): no more heartbeats
    const bool idle = p.requests.wait_idle_for(remaining(deadline)) && p.executions.wait_idle_for(remaining(deadline));
    if (!idle) {
        // The grace ran out with a step still running on a worker. A thread cannot be cancelled, so what it runs is
        // recorded interrupted now and reported as start-up recovery reports a crash; the stored waits stay stored
        // for the next start. The workers are not joined: the caller leaves the process (left_work_running()).
        spdlog::warn("shutdown grace of {} s over with steps still running: marking them interrupted",
                     p.config.shutdown_grace.count());
        p.flow.interrupt_at_shutdown();
        p.leave_replicas();
        p.ops.reset();
        p.left_running = true;
        if (exit != socket_mode_exit::stopped) {
            spdlog::critical("{}", p.client.fatal_reason());
            std::cerr << "opsbot: " << p.client.fatal_reason() << "\n";
            return static_cast<int>(exit);
        }
        return 0;
    }
    if (!settled) {
        spdlog::info("shutdown grace over: the steps waiting for a platform stay stored and resume at the next start");
    }
    // The platform calls still running in the background end (each under the HTTP client's deadline) before the
    // adapters they use are destroyed; those not started have no caller left. Nothing the runtime started outlives it.
    p.requests.shutdown();
    p.executions.shutdown();
    p.calls.discard_queued();
    p.calls.shutdown();
    p.leave_replicas();
    p.ops.reset();  // up until the work accepted is done, so /healthz tells a slow shutdown from a dead process
    switch (exit) {
        case socket_mode_exit::stopped:
            spdlog::info("stopped cleanly");
            return 0;
        case socket_mode_exit::link_disabled:
        case socket_mode_exit::auth_failed:
            spdlog::critical("{}", p.client.fatal_reason());
            std::cerr << "opsbot: " << p.client.fatal_reason() << "\n";
            return static_cast<int>(exit);
    }
    return 1;
}

void runtime::stop() {
    parts_->note_shutdown();
    parts_->client.stop();
}

bool runtime::left_work_running() const { return parts_->left_running; }

bool runtime::wait_ready(std::chrono::milliseconds timeout) { return parts_->client.wait_ready(timeout); }

bool runtime::wait_settled(uint64_t count, std::chrono::milliseconds timeout) {
    if (!parts_->behaviour.wait_handled(count, timeout)) {
        return false;
    }
    auto& p = *parts_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        p.requests.wait_idle();
        p.executions.wait_idle();
        if (!p.flow.polls_pending()) {
            return true;
        }
        // A step waits for a platform: the next sweep of the poll timer hands its poll to the pool.
        std::unique_lock lock(p.sweep_mutex);
        const auto seen = p.poll_sweeps;
        if (!p.polls_swept.wait_until(lock, deadline, [&] { return p.poll_sweeps != seen || p.stopping; }) ||
            p.stopping) {
            return false;
        }
    }
}

void runtime::tick_watches() { parts_->watcher.tick(); }

void runtime::tick_audit_head() { parts_->heads.tick(); }

const socket_mode_client& runtime::client() const { return parts_->client; }

std::optional<uint16_t> runtime::ops_http_port() const {
    const int port = parts_->ops_port.load();
    return port < 0 ? std::nullopt : std::optional<uint16_t>(static_cast<uint16_t>(port));
}

commands::platform_registry& runtime::platforms() { return parts_->platforms; }

std::optional<slack_tokens> tokens_from_env(const stack_config& config) {
    auto app_token = process_env(config.slack.app_token_env);
    auto bot_token = process_env(config.slack.bot_token_env);
    if (!app_token || app_token->empty()) {
        std::cerr << "opsbot: slack.app_token_env: " << config.slack.app_token_env
                  << " is not set (the app-level xapp- token with connections:write)\n";
        return std::nullopt;
    }
    if (!bot_token || bot_token->empty()) {
        std::cerr << "opsbot: slack.bot_token_env: " << config.slack.bot_token_env
                  << " is not set (the bot xoxb- token)\n";
        return std::nullopt;
    }
    return slack_tokens{*app_token, *bot_token};
}

}  // namespace opsbot::bot
