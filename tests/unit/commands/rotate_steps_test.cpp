// Running /rotate plans step by step against in-memory adapters (issue #6): where the value goes, in which
// order, that it is never in an outcome or error, that revoke needs a verification in the same run, the
// re-encryption command's environment, and the manual wait for `/rotate SECRET --continue`.
#include "bot/families.hpp"
#include "commands/rotate/continue_board.hpp"
#include "commands/rotate/plan.hpp"
#include "commands/rotate/report.hpp"
#include "commands/rotate/secret_vault.hpp"
#include "commands/plan/step_runner.hpp"
#include "core/redactor.hpp"
#include "core/sha256.hpp"
#include "tests/unit/commands/rotate_world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <thread>

#include <unistd.h>

using namespace opsbot;
using namespace opsbot::commands;
using namespace opsbot::commands::testing;
using namespace std::chrono_literals;

namespace {

struct run_result {
    std::vector<std::string> outcomes;  ///< every outcome and the error, as they would be shown and audited
    std::optional<std::string> error;
    size_t failed_at = 0;
};

/// Runs `p` the way the executor does: one vault for the run, stop at the first failure.
run_result run_plan(rotate_world& w, const plan& p, secret_vault& vault, continue_board* board = nullptr,
                    const opsbot::clock* clk_in = nullptr) {
    static manual_clock default_clk;
    const opsbot::clock& clk = clk_in != nullptr ? *clk_in : default_clk;
    step_environment env{w.platforms, clk, [](std::chrono::milliseconds) {}, 0ms};
    env.steps = &opsbot::bot::opsbot_families().steps();
    env.vault = &vault;
    env.board = board;
    env.requester = "U01";
    run_result out;
    for (size_t i = 0; i < p.steps.size(); ++i) {
        auto r = run_step(p.steps[i], env);
        if (!r) {
            out.error = r.error().message;
            out.outcomes.push_back(r.error().message);
            out.failed_at = i + 1;
            return out;
        }
        out.outcomes.push_back(*r);
    }
    return out;
}

plan must_plan(rotate_world& w, const std::string& secret) {
    manual_clock clk;
    auto p = plan_rotate(w.config, w.platforms, rotate_request{secret, "production", ""}, clk);
    REQUIRE(p);
    return *p;
}

bool none_contains(const std::vector<std::string>& texts, const std::string& value) {
    return std::ranges::none_of(texts, [&](const auto& t) { return t.find(value) != std::string::npos; });
}

std::string fixture() { return std::string(OPSBOT_SOURCE_DIR) + "/tests/fixtures/rotate/reencrypt.sh"; }

std::string random_hex_name() {
    static int counter = 0;
    return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

/// Polls the board (real time) until a rotation of `secret` waits on it, or 30 s pass.
bool eventually_waiting(const continue_board& board, const std::string& secret) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!board.waiting(secret)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(1ms);  // re-check interval, not a synchronisation assumption
    }
    return true;
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("hex32: a 64-hex value reaches Railway exactly once, with skipDeploys, before the redeploy") {
    rotate_world w;
    auto p = must_plan(w, "BETTER_AUTH_SECRET");
    std::string value;
    std::string fp;
    {
        secret_vault vault;
        auto r = run_plan(w, p, vault);
        REQUIRE_FALSE(r.error);
        value = vault.new_value();
        fp = vault.new_fingerprint();
        CHECK(vault.holding_new == std::set<std::string>{"api"});
        CHECK(none_contains(r.outcomes, value));
        CHECK(r.outcomes[0].find(fp) != std::string::npos);
        // While the run lives, the redactor knows the value.
        CHECK(global_redactor().redact("x " + value).find(value) == std::string::npos);
    }
    CHECK(std::regex_match(value, std::regex("^[0-9a-f]{64}$")));
    CHECK(fp == fingerprint(value));
    REQUIRE(w.api->written().size() == 1);
    CHECK(w.api->written()[0] == value);
    CHECK(w.log.count("railway.upsert api production skip=true") == 1);
    CHECK(w.log.index_of("railway.upsert") < w.log.index_of("railway.redeploy"));
    CHECK(w.log.index_of("railway.redeploy") < w.log.index_of("health "));
    // Once the run ended, the vault is gone and the redactor forgot the value.
    CHECK(global_redactor().redact("x " + value).find(value) != std::string::npos);
}

TEST_CASE("hex16 makes 32 hex characters") {
    rotate_world w;
    w.config.secrets["BETTER_AUTH_SECRET"].generate = opsbot::secret_generator::hex16;
    auto p = must_plan(w, "BETTER_AUTH_SECRET");
    secret_vault vault;
    REQUIRE_FALSE(run_plan(w, p, vault).error);
    CHECK(std::regex_match(vault.new_value(), std::regex("^[0-9a-f]{32}$")));
}

TEST_CASE("Resend: list, create, write, redeploy, verify, then revoke the old keys only") {
    rotate_world w;
    auto p = must_plan(w, "RESEND_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE_FALSE(r.error);
    const auto& log = w.log;
    CHECK(log.index_of("provider.list") < log.index_of("provider.create"));
    CHECK(log.index_of("provider.create") < log.index_of("railway.upsert"));
    CHECK(log.index_of("railway.redeploy") < log.index_of("provider.verify"));
    CHECK(log.index_of("provider.verify") < log.index_of("provider.revoke"));
    CHECK(log.count("provider.revoke key_old1") == 1);
    CHECK(log.count("provider.revoke key_old2") == 1);
    CHECK(log.count("provider.revoke " + w.providers["RESEND_API_KEY"]->last_issued().id) == 0);
    CHECK(w.log.index_of("provider.create opsbot-") >= 0);
    REQUIRE(w.api->written().size() == 1);
    CHECK(w.api->written()[0] == w.providers["RESEND_API_KEY"]->last_issued().value);
    CHECK(none_contains(r.outcomes, w.providers["RESEND_API_KEY"]->last_issued().value));
    CHECK(vault.revoked == 2);
}

TEST_CASE("a failed verification stops the plan: nothing is revoked") {
    rotate_world w;
    w.providers["OPENAI_API_KEY"]->refuse_verify();
    auto p = must_plan(w, "OPENAI_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE(r.error);
    CHECK(p.steps[r.failed_at - 1].kind == "secret.verify");
    CHECK(w.log.count("provider.revoke") == 0);
    CHECK(none_contains(r.outcomes, w.providers["OPENAI_API_KEY"]->last_issued().value));
}

TEST_CASE("secret.revoke refuses in code when this run did not verify the new key") {
    rotate_world w;
    auto p = must_plan(w, "OPENAI_API_KEY");
    secret_vault vault;
    const system_clock clk;  // the environment holds a reference: it must outlive it
    step_environment env{w.platforms, clk, [](std::chrono::milliseconds) {}, 0ms};
    env.steps = &opsbot::bot::opsbot_families().steps();
    env.vault = &vault;
    vault.old_key_ids = {"key_old1"};
    auto r = run_step(p.steps.back(), env);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not verified") != std::string::npos);
    CHECK(w.log.count("provider.revoke") == 0);
}

TEST_CASE("PostHog: reset, written once to Railway and once to Vercel (encrypted, production), no revoke") {
    rotate_world w;
    auto p = must_plan(w, "POSTHOG_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE_FALSE(r.error);
    const std::string token = w.providers["POSTHOG_API_KEY"]->last_issued().value;
    CHECK(w.api->written() == std::vector<std::string>{token});
    CHECK(w.web->written() == std::vector<std::string>{token});
    CHECK(w.log.count("vercel.upsert POSTHOG_API_KEY encrypted production") == 1);
    CHECK(w.log.count("provider.list") == 0);
    CHECK(w.log.count("provider.revoke") == 0);
    CHECK(w.log.index_of("vercel.upsert") < w.log.index_of("vercel.redeploy"));
    CHECK(vault.holding_new == std::set<std::string>{"api", "web"});
}

TEST_CASE("a platform failing mid-plan: the vault says which services hold the new value") {
    rotate_world w;
    w.web->refuse_upserts();
    auto p = must_plan(w, "POSTHOG_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE(r.error);
    CHECK(p.steps[r.failed_at - 1].kind == "secret.write_vercel");
    CHECK(vault.holding_new == std::set<std::string>{"api"});
    CHECK(w.log.count("railway.redeploy") == 0);
    CHECK(none_contains(r.outcomes, vault.new_value()));
}

TEST_CASE("re-encryption: the command gets both keys in its environment only, then write and redeploy") {
    rotate_world w;
    std::filesystem::path log = std::filesystem::temp_directory_path() / ("opsbot-reencrypt-" + random_hex_name());
    w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), log.string()};
    const std::string old_value = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY", old_value);
    auto p = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    INFO((r.error ? *r.error : std::string("ok")));
    REQUIRE_FALSE(r.error);
    auto runs = lines_of(log);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0] == fingerprint(old_value) + " " + vault.new_fingerprint());
    CHECK(std::getenv("OPSBOT_NEW_SECRET") == nullptr);
    CHECK(std::getenv("OPSBOT_OLD_SECRET") == nullptr);
    CHECK(w.api->variable("production", "CREDENTIAL_ENCRYPTION_KEY") == vault.new_value());
    CHECK(none_contains(r.outcomes, old_value));
    CHECK(none_contains(r.outcomes, vault.new_value()));
    std::filesystem::remove(log);
}

TEST_CASE("re-encryption failing leaves the old key in force, its output never shows a key") {
    rotate_world w;
    std::filesystem::path log = std::filesystem::temp_directory_path() / ("opsbot-reencrypt-" + random_hex_name());
    w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), log.string(), "leak"};
    const std::string old_value = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY", old_value);
    auto p = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE(r.error);
    CHECK(p.steps[r.failed_at - 1].kind == "secret.reencrypt");
    CHECK(r.error->find("old key stays in force") != std::string::npos);
    CHECK(r.error->find("careless tool printed the key") != std::string::npos);
    CHECK(none_contains(r.outcomes, vault.new_value()));
    CHECK(w.log.count("railway.upsert") == 1);  // only the staged copy: CREDENTIAL_ENCRYPTION_KEY_NEXT
    CHECK(w.api->variable("production", "CREDENTIAL_ENCRYPTION_KEY") == old_value);
    std::filesystem::remove(log);
}

TEST_CASE("a failed write after re-encryption re-encrypts back with the old key") {
    rotate_world w;
    std::filesystem::path log = std::filesystem::temp_directory_path() / ("opsbot-reencrypt-" + random_hex_name());
    w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), log.string()};
    const std::string old_value = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY", old_value);
    w.api->refuse_upserts_of("CREDENTIAL_ENCRYPTION_KEY");
    auto p = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE(r.error);
    CHECK(p.steps[r.failed_at - 1].kind == "secret.write_railway");
    CHECK(r.error->find("re-encrypted back with the old key") != std::string::npos);
    auto runs = lines_of(log);
    REQUIRE(runs.size() == 2);
    CHECK(runs[1] == vault.new_fingerprint() + " " + fingerprint(old_value));
    std::filesystem::remove(log);
}

TEST_CASE("manual.wait: only the requester continues, an unchanged value keeps it waiting") {
    rotate_world w;
    w.api->set_variable("production", "SENTRY_DSN", "https://old-public-key@o1.ingest.sentry.io/2");
    auto p = must_plan(w, "SENTRY_DSN");
    system_clock clk;
    continue_board board(clk, 5ms);
    secret_vault vault;
    CHECK(board.signal("SENTRY_DSN", "U01").error().kind == error_kind::not_found);
    auto running = std::async(std::launch::async, [&] { return run_plan(w, p, vault, &board, &clk); });
    REQUIRE(eventually_waiting(board, "SENTRY_DSN"));

    auto stranger = board.signal("SENTRY_DSN", "U02");
    REQUIRE_FALSE(stranger);
    CHECK(stranger.error().kind == error_kind::forbidden);

    auto too_early = board.signal("SENTRY_DSN", "U01");
    REQUIRE(too_early);
    CHECK(too_early->find("Not yet") != std::string::npos);
    CHECK(too_early->find("old value") != std::string::npos);
    CHECK(board.waiting("SENTRY_DSN"));

    w.api->set_variable("production", "SENTRY_DSN", "https://new-public-key@o1.ingest.sentry.io/2");
    auto go = board.signal("SENTRY_DSN", "U01");
    REQUIRE(go);
    CHECK(go->find("Continuing") != std::string::npos);
    CHECK(go->find(fingerprint("https://new-public-key@o1.ingest.sentry.io/2")) != std::string::npos);
    REQUIRE(running.wait_for(30s) == std::future_status::ready);
    auto r = running.get();
    REQUIRE_FALSE(r.error);
    CHECK(vault.holding_new == std::set<std::string>{"api", "web"});
    CHECK(w.log.index_of("railway.redeploy") > w.log.index_of("railway.variables"));
    CHECK(r.outcomes.back().find("left for a human") != std::string::npos);
    CHECK_FALSE(board.waiting("SENTRY_DSN"));
    CHECK(none_contains(r.outcomes, "new-public-key"));
}

TEST_CASE("continue_board: the wait ends at the deadline of the injected clock") {
    manual_clock clk;
    continue_board board(clk, 1ms);
    auto waiting = std::async(std::launch::async,
                              [&] { return board.wait("SENTRY_AUTH_TOKEN", "U01", clk.now() + std::chrono::hours{4}); });
    REQUIRE(eventually_waiting(board, "SENTRY_AUTH_TOKEN"));
    CHECK(waiting.wait_for(20ms) == std::future_status::timeout);  // the clock has not moved: still waiting
    clk.advance(std::chrono::hours{4});
    REQUIRE(waiting.wait_for(30s) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::timeout);
}

TEST_CASE("continue_board: closing it (bot stopping) ends a wait at once") {
    system_clock clk;
    continue_board board(clk, 1s);
    auto waiting = std::async(std::launch::async,
                              [&] { return board.wait("SENTRY_DSN", "U01", clk.now() + std::chrono::hours{4}); });
    REQUIRE(eventually_waiting(board, "SENTRY_DSN"));
    board.close();
    REQUIRE(waiting.wait_for(30s) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::unavailable);
    CHECK_FALSE(board.waiting("SENTRY_DSN"));
    CHECK(board.signal("SENTRY_DSN", "U01").error().kind == error_kind::not_found);
}

TEST_CASE("continue_board: Stop ends a wait at once, and a continue after it finds nothing waiting") {
    system_clock clk;
    continue_board board(clk, 1s);
    auto waiting = std::async(std::launch::async,
                              [&] { return board.wait("SENTRY_DSN", "U01", clk.now() + std::chrono::hours{4}); });
    REQUIRE(eventually_waiting(board, "SENTRY_DSN"));
    board.stop("SENTRY_DSN");
    REQUIRE(waiting.wait_for(30s) == std::future_status::ready);
    auto r = waiting.get();
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::conflict);
    CHECK(r.error().message.find("stopped") != std::string::npos);
    CHECK_FALSE(board.waiting("SENTRY_DSN"));
    CHECK(board.signal("SENTRY_DSN", "U01").error().kind == error_kind::not_found);
}

TEST_CASE("continue_board: a Stop that lands before the wait begins still ends it, and end_wait clears it") {
    manual_clock clk;
    continue_board board(clk, 1ms);
    board.stop("SENTRY_DSN");
    auto r = board.wait("SENTRY_DSN", "U01", clk.now() + std::chrono::hours{4});  // returns at once, no thread
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::conflict);
    board.end_wait("SENTRY_DSN");
    // The next rotation of the same secret waits normally.
    auto next = std::async(std::launch::async,
                           [&] { return board.wait("SENTRY_DSN", "U01", clk.now() + std::chrono::hours{4}); });
    REQUIRE(eventually_waiting(board, "SENTRY_DSN"));
    CHECK(next.wait_for(20ms) == std::future_status::timeout);
    clk.advance(std::chrono::hours{4});
    REQUIRE(next.wait_for(30s) == std::future_status::ready);
    CHECK(next.get().error().kind == error_kind::timeout);
}

TEST_CASE("PostHog has no test call: the verify outcome says what was checked, and that web was not") {
    rotate_world w;
    w.providers["POSTHOG_API_KEY"]->set_test_call(false);  // as the real PostHog provider
    auto p = must_plan(w, "POSTHOG_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE_FALSE(r.error);
    REQUIRE_FALSE(r.outcomes.empty());
    const std::string verified = r.outcomes.back();
    CHECK(verified.find("itself was not tested") != std::string::npos);
    CHECK(verified.find("`api` passed its health check") != std::string::npos);
    CHECK(verified.find("`web` got no health check") != std::string::npos);
    CHECK(verified.find("stand for the new key") == std::string::npos);
    CHECK(vault.verified);
}

TEST_CASE("no opsbot-made old key: revoke says the previous key must be revoked by hand") {
    rotate_world w;
    w.providers["OPENAI_API_KEY"]->set_existing_keys({});
    auto p = must_plan(w, "OPENAI_API_KEY");
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE_FALSE(r.error);
    CHECK(w.log.count("provider.revoke") == 0);
    const std::string revoked = r.outcomes.back();
    CHECK(revoked.find("not made by opsbot") != std::string::npos);
    CHECK(revoked.find("revoke it by hand in the OpenAI dashboard") != std::string::npos);
    p.request = boost::json::object{{"args", boost::json::object{{"secret", "OPENAI_API_KEY"}}}};  // as make_plan sets it
    const std::string report = rotate_state_mrkdwn(w.config, p, vault, false);
    CHECK(report.find("not made by opsbot") != std::string::npos);
    CHECK(report.find("revoked after the new key was verified") == std::string::npos);
}

TEST_CASE("a rotate redeploy on Vercel rebuilds the same commit (latest_commit false)") {
    rotate_world w;
    auto p = must_plan(w, "POSTHOG_API_KEY");
    secret_vault vault;
    REQUIRE_FALSE(run_plan(w, p, vault).error);
    CHECK(w.log.count("vercel.redeploy") == 1);
    CHECK(std::ranges::none_of(w.log.calls(), [](const std::string& c) { return c.ends_with("latest_commit"); }));
}

/// The key the stored credentials are under: the newest re-encryption's target in the fixture's log (first 12 hex
/// of its SHA-256), else the key they started under.
std::string credentials_key_fingerprint(const std::filesystem::path& log, const std::string& initial) {
    const auto runs = lines_of(log);
    return runs.empty() ? fingerprint(initial) : runs.back().substr(runs.back().find(' ') + 1);
}

TEST_CASE("CREDENTIAL_ENCRYPTION_KEY: a crash after any step leaves the key that reads the credentials on Railway") {
    const std::string old_value = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    size_t steps = 0;
    {
        rotate_world w;
        w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), "/dev/null"};
        steps = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY").steps.size();
    }
    REQUIRE(steps == 7);
    for (size_t done = 0; done <= steps; ++done) {
        rotate_world w;
        std::filesystem::path log = std::filesystem::temp_directory_path() / ("opsbot-reencrypt-" + random_hex_name());
        w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), log.string()};
        w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY", old_value);
        auto p = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY");
        p.steps.resize(done);  // the process dies after `done` steps: nothing after them, no clean-up
        secret_vault vault;
        auto r = run_plan(w, p, vault);
        INFO("crash after " << done << " step(s): " << (r.error ? *r.error : std::string("ok")));
        REQUIRE_FALSE(r.error);
        const std::string needed = credentials_key_fingerprint(log, old_value);
        std::set<std::string> on_platform;
        for (const char* name : {"CREDENTIAL_ENCRYPTION_KEY", "CREDENTIAL_ENCRYPTION_KEY_NEXT"}) {
            if (const std::string value = w.api->variable("production", name); !value.empty()) {
                on_platform.insert(fingerprint(value));
            }
        }
        CHECK(on_platform.contains(needed));
        std::filesystem::remove(log);
    }
}

TEST_CASE("the re-encryption refuses when the staged key on the platform is not the new one") {
    rotate_world w;
    std::filesystem::path log = std::filesystem::temp_directory_path() / ("opsbot-reencrypt-" + random_hex_name());
    w.config.secrets["CREDENTIAL_ENCRYPTION_KEY"].reencrypt_command = {"/bin/sh", fixture(), log.string()};
    w.api->set_variable("production", "CREDENTIAL_ENCRYPTION_KEY",
                        "1111111111111111111111111111111111111111111111111111111111111111");
    auto p = must_plan(w, "CREDENTIAL_ENCRYPTION_KEY");
    REQUIRE(p.steps[1].kind == "secret.stage");
    p.steps.erase(p.steps.begin() + 1);  // the staged copy never reached the platform
    secret_vault vault;
    auto r = run_plan(w, p, vault);
    REQUIRE(r.error);
    CHECK(p.steps[r.failed_at - 1].kind == "secret.reencrypt");
    CHECK(r.error->find("refusing to re-encrypt") != std::string::npos);
    CHECK(lines_of(log).empty());  // the command never ran
    std::filesystem::remove(log);
}

TEST_CASE("continue_board: a held wait (no thread waits) runs the continue hook for its requester only, then ends") {
    manual_clock clk;
    continue_board board(clk, 1ms);
    std::vector<std::string> continued;
    board.on_continue([&](const std::string& action) -> opsbot::result<std::string> {
        continued.push_back(action);
        board.end_wait("SENTRY_DSN");  // the executor took the stored wait: the run goes on elsewhere
        return std::string("Continuing");
    });
    REQUIRE(board.hold("SENTRY_DSN", "U01", "A-1"));
    CHECK(board.waiting("SENTRY_DSN"));
    auto other = board.hold("SENTRY_DSN", "U01", "A-2");
    REQUIRE_FALSE(other);
    CHECK(other.error().message == "A-1");

    auto stranger = board.signal("SENTRY_DSN", "U02");
    REQUIRE_FALSE(stranger);
    CHECK(stranger.error().kind == error_kind::forbidden);
    CHECK(continued.empty());

    auto go = board.signal("SENTRY_DSN", "U01");  // on this thread: nothing blocked before it
    REQUIRE(go);
    CHECK(*go == "Continuing");
    CHECK(continued == std::vector<std::string>{"A-1"});
    CHECK_FALSE(board.waiting("SENTRY_DSN"));
    CHECK(board.signal("SENTRY_DSN", "U01").error().kind == error_kind::not_found);
}

TEST_CASE("continue_board with the stored waits: a wait another replica stored is continued here, and a slot for a "
          "wait that ended elsewhere is dropped") {
    manual_clock clk;
    continue_board board(clk, 1ms);
    // The database as the lookup sees it (storage/wait_store: one wait per key).
    std::map<std::string, person_wait_board::stored_waiter> stored;
    bool unreadable = false;
    board.on_lookup([&](const std::string& key)
                        -> opsbot::result<std::optional<person_wait_board::stored_waiter>> {
        if (unreadable) {
            return opsbot::fail(error_kind::internal, "database error while trying to read a wait");
        }
        auto it = stored.find(key);
        return it == stored.end() ? std::nullopt : std::optional(it->second);
    });
    std::vector<std::string> continued;
    board.on_continue([&](const std::string& action) -> opsbot::result<std::string> {
        continued.push_back(action);
        stored.erase("SENTRY_DSN");  // the executor took the stored wait
        return std::string("Continuing");
    });

    // Held by another replica: this board never saw hold().
    stored["SENTRY_DSN"] = {"U01", "A-7"};
    auto stranger = board.signal("SENTRY_DSN", "U02");
    REQUIRE_FALSE(stranger);
    CHECK(stranger.error().kind == error_kind::forbidden);
    auto go = board.signal("SENTRY_DSN", "U01");
    REQUIRE(go);
    CHECK(continued == std::vector<std::string>{"A-7"});

    // This board held A-8, but another replica continued it: nothing is stored, so a continue here finds nothing
    // rather than poking the stale slot, and a new rotation of the same secret may hold it again.
    REQUIRE(board.hold("SENTRY_DSN", "U01", "A-8"));
    auto stale = board.signal("SENTRY_DSN", "U01");
    REQUIRE_FALSE(stale);
    CHECK(stale.error().kind == error_kind::not_found);
    REQUIRE(board.hold("SENTRY_DSN", "U01", "A-8"));
    stored["SENTRY_DSN"] = {"U03", "A-9"};  // stored elsewhere while this board still remembers A-8
    REQUIRE(board.hold("SENTRY_DSN", "U03", "A-9"));
    CHECK(continued.size() == 1);

    // The database cannot be read: the continue says so, and changes nothing.
    unreadable = true;
    auto down = board.signal("SENTRY_DSN", "U03");
    REQUIRE_FALSE(down);
    CHECK(down.error().kind == error_kind::unavailable);
    CHECK(continued.size() == 1);
}
