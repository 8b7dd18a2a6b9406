#pragma once
// Several real `opsbot run` processes — replicas — on one PostgreSQL database and one Slack simulator (issue 14
// item 4), with a Railway service `api` on the wire-format fake. Each replica opens its own Socket Mode link; a test
// names the replica whose link gets an envelope, or spreads envelopes over the live links as Slack does.

#include "tests/support/bot_harness.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fake_health.hpp"
#include "tests/support/fake_railway.hpp"
#include "tests/support/pg_url_or_skip.hpp"
#include "tests/support/postgres_fixture.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace opsbot::testing {

inline const std::string old_dsn = "https://0ldpublickey0000@o1.ingest.sentry.io/2";
inline const std::string new_dsn = "https://n3wpublickey1111@o1.ingest.sentry.io/2";

struct cluster_options {
    int deploy_polls = 2;                 ///< Railway polls before a deployment it made ends SUCCESS
    std::chrono::seconds lease{4};        ///< replica_lease: short, so a death is noticed within a test
    std::chrono::seconds shutdown_grace{0};  ///< a SIGTERM'd replica leaves its stored waits and polls at once
    /// The bot's database; empty: a scratch database of its own on the test server.
    std::string database_url;
};

class cluster {
public:
    explicit cluster(const std::string& admin_url, cluster_options options = {});
    ~cluster();
    cluster(const cluster&) = delete;
    cluster& operator=(const cluster&) = delete;

    sim::slack_simulator slack;
    fake_railway railway;
    fake_health health;
    const std::chrono::seconds lease;

    /// Starts one more replica and waits until its link said hello; returns its index.
    std::size_t start();
    /// kill -9.
    void kill(std::size_t replica);
    /// SIGTERM; requires the clean exit (0).
    void stop(std::size_t replica);
    /// Any signal (SIGSTOP / SIGCONT: a replica that is slow, not dead).
    void signal(std::size_t replica, int sig);
    /// The Socket Mode link of a replica (the one it opened at start).
    sim::connection_id link(std::size_t replica) const;

    /// `command text` by `user` on `replica`'s link; waits until action `id` shows its approve button.
    plan_button plan(const std::string& user, const std::string& command, const std::string& text,
                     const std::string& id, std::size_t replica);
    /// A click on `button` by `user`, sent on `replica`'s link; the envelope id (empty: no link took it).
    std::string click(const std::string& user, const plan_button& button, std::size_t replica);
    /// Any slash command on `replica`'s link (the envelope id must come back).
    void command(const std::string& user, const std::string& command, const std::string& text, std::size_t replica);
    /// The answer `user` gets to a slash command sent on `replica`'s link: the first response_url reply after the
    /// "Working on…" notice, or the ack's text when the bot answered in the ack.
    std::string answer(const std::string& user, const std::string& command, const std::string& text,
                       std::size_t replica);
    /// `/rotate SECRET --continue` by `user` on `replica`: its answer.
    std::string continue_rotation(const std::string& user, const std::string& secret, std::size_t replica);
    std::optional<plan_button> button(const std::string& id, const std::string& action) const;

    // --- the shared database ---
    std::string state_of(const std::string& id) const;
    std::vector<std::string> audit_events(const std::string& id) const;
    bool audit_has_event(const std::string& event) const;
    bool audit_ok() const;
    std::size_t active_locks() const;
    std::size_t waits_stored() const;
    std::size_t polls_stored() const;

    // --- what reached Slack ---
    /// The incident channel's top-level report of `id` being interrupted.
    bool reported_interrupted(const std::string& id) const;
    std::string incident_text(const std::string& id) const;
    /// Every message in the thread of `id`'s plan message.
    std::string thread_of(const std::string& id) const;
    /// No token of the simulator or of Railway in any replica's log.
    bool no_secret_logged() const;

private:
    struct replica {
        std::unique_ptr<child_process> process;
        sim::connection_id link = 0;
    };

    temp_dir dir_;
    std::optional<scratch_database> scratch_;
    std::string url_;
    std::filesystem::path config_;
    std::filesystem::path log_;
    std::vector<std::string> env_;
    std::vector<replica> replicas_;
};

/// `/deploy help` sent over and over, each to the next live link (sim::spread_connections), from a thread of its own
/// until finish(): commands flowing while a test restarts replicas.
class command_stream {
public:
    explicit command_stream(cluster& c);
    ~command_stream();
    command_stream(const command_stream&) = delete;
    command_stream& operator=(const command_stream&) = delete;

    /// Waits until `n` more of its envelopes were acked than at the last call.
    bool wait_for_more(std::size_t n);
    /// No envelope leaves until resume(); returns once none is being sent.
    void pause();
    void resume();
    void finish();
    std::size_t sent() const;
    /// Envelopes sent that no link took, or that were not acked with the help text.
    std::vector<std::string> unanswered() const;

private:
    void run();

    cluster& c_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool paused_ = false;
    bool done_ = false;
    bool sending_ = false;
    std::vector<std::string> sent_;
    std::size_t seen_acked_ = 0;
    std::thread thread_;
};

}  // namespace opsbot::testing
