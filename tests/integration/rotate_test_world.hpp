#pragma once
// The fixture of tests/integration/rotate_test.cpp: the harness with the seven secrets of runbook §6, the provider
// fakes as their APIs, every log line captured, and the secrecy scan (logs, Slack, audit rows, database bytes).
#include "adapters/secret_provider.hpp"
#include "core/sha256.hpp"
#include "storage/audit_log.hpp"
#include "storage/database.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_openai.hpp"
#include "tests/support/fake_posthog.hpp"
#include "tests/support/fake_resend.hpp"
#include "tests/support/paths.hpp"
#include "tests/support/text_files.hpp"

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace opsbot::rotate_test {

using namespace opsbot;
using namespace opsbot::testing;
using namespace std::chrono_literals;

/// Every log line the bot writes while it lives, at every level (the default logger is swapped for this one).
class log_capture {
public:
    log_capture() : previous_(spdlog::default_logger()) {
        sink_ = std::make_shared<sink>();
        auto logger = std::make_shared<spdlog::logger>("rotate-test", sink_);
        spdlog::set_default_logger(logger);
        logger->set_level(spdlog::level::trace);
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    /// The harness lowers the level when it starts: call after it did.
    void all_levels() { spdlog::default_logger()->set_level(spdlog::level::trace); }
    std::vector<std::string> lines() const {
        std::lock_guard lock(sink_->lines_mutex);
        return sink_->lines;
    }

private:
    struct sink final : spdlog::sinks::base_sink<std::mutex> {
        mutable std::mutex lines_mutex;
        std::vector<std::string> lines;
        void sink_it_(const spdlog::details::log_msg& msg) override {
            std::lock_guard lock(lines_mutex);
            lines.emplace_back(msg.payload.data(), msg.payload.size());
        }
        void flush_() override {}
    };
    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<sink> sink_;
};

inline std::string file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// The seven secrets of runbook §6, with the provider fakes as their APIs.
struct world {
    fake_resend resend;
    fake_openai openai;
    fake_posthog posthog;
    std::string openai_account;
    std::string reencrypt_log;
    log_capture logs;
    std::unique_ptr<bot_harness> h;

    /// `adjust`: last changes to the harness options (a smaller worker pool, more secrets).
    explicit world(std::vector<std::string> reencrypt_command = {},
                   const std::function<void(harness_options&)>& adjust = {}) {
        openai_account = openai.add_service_account("opsbot");
        harness_options o;
        o.configure = [this, reencrypt_command](stack_config& c) {
            policy_config rotate;
            rotate.run = "deployers";
            rotate.approve = "approvers";
            c.policies["rotate"] = rotate;
            c.secrets = secrets();
            c.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = reencrypt_command;
        };
        o.platforms = [this](commands::platform_registry& r) {
            auto s = secrets();
            r.secret_providers["RESEND_API_KEY"] =
                adapters::make_resend_provider(s["RESEND_API_KEY"], resend.settings().admin_token, *r.http);
            r.secret_providers["OPENAI_API_KEY"] =
                adapters::make_openai_provider(s["OPENAI_API_KEY"], openai.settings().admin_key, *r.http);
            r.secret_providers["POSTHOG_API_KEY"] =
                adapters::make_posthog_provider(s["POSTHOG_API_KEY"], posthog.settings().personal_key, *r.http);
        };
        if (adjust) {
            adjust(o);
        }
        h = std::make_unique<bot_harness>(o);
        logs.all_levels();
    }

    std::map<std::string, secret_config> secrets() const {
        std::map<std::string, secret_config> out;
        auto add = [&](const char* name, const char* generate, std::vector<std::string> services,
                       std::map<std::string, std::string> provider = {}) {
            secret_config s;
            s.name = name;
            s.generate = opsbot::parse_generator(generate).value();
            s.services = std::move(services);
            s.provider = std::move(provider);
            out[name] = s;
        };
        add("BETTER_AUTH_SECRET", "hex32", {"api"});
        out["BETTER_AUTH_SECRET"].impact = "All existing sessions are invalidated; users must log in again.";
        add("OPENAI_API_KEY", "openai", {"api"},
            {{"api_url", openai.base_url()}, {"token_env", "OPENAI_ADMIN_KEY"}, {"project_id", "proj_abc"},
             {"service_account_id", openai_account}});
        add("CREDENTIAL_ENCRYPTION_KEY", "hex32", {"api"});
        add("RESEND_API_KEY", "resend", {"api"}, {{"api_url", resend.base_url()}, {"token_env", "RESEND_ADMIN_KEY"}});
        add("SENTRY_DSN", "manual", {"api", "web"});
        add("SENTRY_AUTH_TOKEN", "manual", {"web"});
        add("POSTHOG_API_KEY", "posthog", {"api", "web"},
            {{"api_url", posthog.base_url()}, {"token_env", "POSTHOG_PERSONAL_KEY"}, {"project_id", "12345"}});
        return out;
    }

    /// `/rotate SECRET` by the requester, approved by another person; returns once the run ended.
    void rotate_and_approve(const std::string& secret) {
        h->command(requester, "/rotate", secret);
        REQUIRE(h->button("A-1", "approve"));
        h->click(approver_a, "A-1", "approve");
    }

    /// Where `value` shows up: log lines, Slack messages, audit rows, the SQLite file and its WAL.
    std::vector<std::string> leaks_of(const std::string& value) const {
        REQUIRE(value.size() >= 8);
        std::vector<std::string> out;
        REQUIRE_FALSE(logs.lines().empty());  // the capture sees the bot's logging (not a vacuous scan)
        REQUIRE_FALSE(h->slack().messages().empty());
        for (const auto& line : logs.lines()) {
            if (contains(line, value)) {
                out.push_back("log: " + line);
            }
        }
        for (const auto& m : h->slack().messages()) {
            if (contains(text_of(m), value) || contains(boost::json::serialize(m.blocks), value)) {
                out.push_back("slack " + m.kind + ": " + m.text);
            }
        }
        for (const auto& a : h->slack().acks()) {
            if (contains(boost::json::serialize(a.ack), value)) {
                out.push_back("slack ack " + a.envelope_id);
            }
        }
        {
            storage::database db(h->db_path(), storage::open_mode::read_only);
            system_clock clk;
            storage::audit_log audit(db, clk);
            auto entries = audit.entries();
            REQUIRE(entries);
            REQUIRE_FALSE(entries->empty());
            for (const auto& e : *entries) {
                if (contains(e.detail_json, value)) {
                    out.push_back("audit " + e.event);
                }
            }
        }
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::filesystem::path file = h->db_path() + suffix;
            if (std::filesystem::exists(file) && contains(file_bytes(file), value)) {
                out.push_back(std::string("database file ") + file.filename().string());
            }
        }
        return out;
    }

    std::vector<sim::recorded_message> incident_posts() const {
        return messages_in(h->slack(), incident_channel, "chat.postMessage");
    }
};

inline std::string final_text(world& w) {
    auto m = w.h->message_of("A-1");
    REQUIRE(m);
    return text_of(*m);
}

/// seq of the first call of `kind` seen by a provider fake; 0 when none.
inline std::uint64_t first_seq(const std::vector<fake_key_call>& calls, const std::string& kind) {
    for (const auto& c : calls) {
        if (c.kind == kind) {
            return c.seq;
        }
    }
    return 0;
}


/// Index of the first recorded Railway request whose GraphQL body names `operation`; -1 when none.
inline int railway_request_index(world& w, const std::string& operation) {
    auto requests = w.h->railway().requests();
    for (size_t i = 0; i < requests.size(); ++i) {
        if (contains(requests[i].body, operation)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

/// `user` runs `/rotate SECRET --continue` while the bot may be busy (a rotation waits on a worker): no settle,
/// returns the reply the bot sends via response_url.
inline std::string send_continue(world& w, const std::string& user, const std::string& secret) {
    const size_t before = w.h->slack().messages("response_url").size();
    auto id = w.h->slack().send_slash_command(user, ops_channel, "/rotate", secret + " --continue");
    REQUIRE_FALSE(id.empty());
    w.h->count_sent();
    // The reply, after the "Working on …" notice that goes first through the same response_url.
    std::string reply;
    bool answered = w.h->slack().wait_for(
        [&] {
            const auto replies = w.h->slack().messages("response_url");
            for (size_t i = before; i < replies.size(); ++i) {
                if (text_of(replies[i]).find("Working on") == std::string::npos) {
                    reply = text_of(replies[i]);
                    return true;
                }
            }
            return false;
        },
        60s);
    REQUIRE(answered);
    return reply;
}

/// Sends continues as `user` until the rotation is waiting (the first may arrive before the wait began).
inline std::string continue_when_waiting(world& w, const std::string& user, const std::string& secret) {
    std::string answer;
    REQUIRE(eventually(
        [&] {
            answer = send_continue(w, user, secret);
            return !contains(answer, "is waiting for `--continue`");
        },
        30s));
    return answer;
}

/// Approves A-1 without waiting for the run (it will block at the manual step); returns once step 1 runs.
inline void approve_and_reach_manual_step(world& w, const std::string& secret) {
    w.h->command(requester, "/rotate", secret);
    auto approve = w.h->button("A-1", "approve");
    REQUIRE(approve);
    w.h->click_now(approver_a, *approve);
    REQUIRE(eventually([&] { return w.h->state_of("A-1") == "running"; }, 30s));
}

}  // namespace opsbot::rotate_test
