// Pure parts of /incident (issue #7): the runbook §8 classifications, the leaked-secret checklist and the incident
// record template, and the restore instructions.
#include "commands/incident/migration_failed.hpp"
#include "commands/incident/record.hpp"
#include "commands/incident/triage.hpp"
#include "tests/unit/commands/test_config.hpp"
#include "tests/support/text_files.hpp"

#include <catch2/catch.hpp>

using opsbot::testing::contains;

namespace {

using namespace opsbot;
using namespace opsbot::commands;

adapters::sentry_issue issue(std::string title, std::string culprit = "") {
    adapters::sentry_issue i;
    i.title = std::move(title);
    i.culprit = std::move(culprit);
    return i;
}

adapters::prisma_migration_row row(std::string name, std::string started, std::string finished,
                                   std::string logs = "", std::string rolled_back = "") {
    adapters::prisma_migration_row r;
    r.name = std::move(name);
    r.started_at = std::move(started);
    r.finished_at = std::move(finished);
    r.logs = std::move(logs);
    r.rolled_back_at = std::move(rolled_back);
    return r;
}

}  // namespace

TEST_CASE("Sentry issues are classified core, transient or isolated by keywords", "[commands][incident]") {
    CHECK(classify_issue(issue("Unauthorized: invalid session", "middleware/requireAuth")).cls == issue_class::core);
    CHECK(classify_issue(issue("TypeError: cannot read 'from'", "routes/whatsappWebhook")).cls == issue_class::core);
    CHECK(classify_issue(issue("Error in step 3", "workers/WorkflowRunner.run")).cls == issue_class::core);
    CHECK(classify_issue(issue("Error: connect ETIMEDOUT 10.0.0.4:6379", "ioredis")).cls == issue_class::transient);
    CHECK(classify_issue(issue("Function cold start exceeded", "")).cls == issue_class::transient);
    CHECK(classify_issue(issue("Request failed with status code 503", "fetchProfile")).cls == issue_class::transient);
    auto isolated = classify_issue(issue("TypeError: x.map is not a function", "components/BroadcastList"));
    CHECK(isolated.cls == issue_class::isolated);
    CHECK(isolated.keyword.empty());
    // Case-insensitive, and core wins over transient: a timeout in the login path still hits core functionality.
    auto both = classify_issue(issue("Timeout while LOGIN", ""));
    CHECK(both.cls == issue_class::core);
    CHECK(both.keyword == "login");
    // A JavaScript parse error is not an auth problem.
    CHECK(classify_issue(issue("SyntaxError: Unexpected token < in JSON", "api/client")).cls == issue_class::isolated);
}

TEST_CASE("a migration failure is none, clean or partial", "[commands][incident]") {
    SECTION("no unfinished row: nothing failed") {
        auto v = classify_migration_failure(
            {row("1_init", "2026-11-20T10:00:00.000Z", "2026-11-20T10:00:01.000Z"),
             row("2_x", "2026-11-21T10:00:00.000Z", "", "", "2026-11-21T11:00:00.000Z")});
        CHECK(v.kind == migration_failure::none);
        CHECK(v.migration.empty());
    }
    SECTION("started, not finished, logs of an error after changes: partial") {
        auto v = classify_migration_failure(
            {row("1_init", "2026-11-20T10:00:00.000Z", "2026-11-20T10:00:01.000Z"),
             row("2_drop", "2026-11-27T10:00:00.000Z", "",
                 "Database error code: 23505\nERROR: could not create unique index \"users_email_key\"")});
        CHECK(v.kind == migration_failure::partial);
        CHECK(v.migration == "2_drop");
        CHECK(v.started_at == "2026-11-27T10:00:00.000Z");
    }
    SECTION("no logs: partial, because nothing proves it was clean") {
        auto v = classify_migration_failure({row("2_x", "2026-11-27T10:00:00.000Z", "")});
        CHECK(v.kind == migration_failure::partial);
    }
    SECTION("a syntax error: the script never ran, clean") {
        auto v = classify_migration_failure(
            {row("3_bad", "2026-11-27T10:00:00.000Z", "",
                 "Migration name: 3_bad\n\nDatabase error code: 42601\n\nDatabase error:\nERROR: syntax error at or "
                 "near \"TABEL\"")});
        CHECK(v.kind == migration_failure::clean);
        CHECK(v.migration == "3_bad");
    }
    SECTION("the newest unfinished row decides") {
        auto v = classify_migration_failure({row("4_new", "2026-11-27T12:00:00.000Z", "", "syntax error"),
                                             row("3_old", "2026-11-27T10:00:00.000Z", "", "deadlock detected")});
        CHECK(v.migration == "4_new");
        CHECK(v.kind == migration_failure::clean);
    }
}

TEST_CASE("newest_rows is the runbook's ORDER BY started_at DESC LIMIT 5", "[commands][incident]") {
    std::vector<adapters::prisma_migration_row> rows;
    for (int i = 1; i <= 7; ++i) {
        rows.push_back(row(std::to_string(i), "2026-11-2" + std::to_string(i) + "T10:00:00.000Z", ""));
    }
    auto newest = newest_rows(rows);
    REQUIRE(newest.size() == 5);
    CHECK(newest.front().name == "7");
    CHECK(newest.back().name == "3");
}

TEST_CASE("the leaked-secret checklist follows runbook §8 per secret", "[commands][incident]") {
    auto config = opsbot::commands::testing::example_config();
    auto joined = [&](const std::string& secret) {
        std::string all;
        for (const auto& line : leaked_secret_checklist(config, secret)) {
            all += line + "\n";
        }
        return all;
    };
    const auto openai = joined("OPENAI_API_KEY");
    CHECK(contains(openai, "OpenAI usage dashboard"));
    CHECK(contains(openai, "access logs"));
    CHECK(contains(openai, "Notify affected users"));
    CHECK_FALSE(contains(openai, "sessions"));
    const auto auth = joined("BETTER_AUTH_SECRET");
    CHECK(contains(auth, "session"));
    CHECK_FALSE(contains(auth, "usage dashboard"));
    const auto cek = joined("CREDENTIAL_ENCRYPTION_KEY");
    CHECK(contains(cek, "re-encryption"));
    CHECK_FALSE(contains(cek, "session"));
}

TEST_CASE("the incident record template is filled from the config and the rotation", "[commands][incident]") {
    auto config = opsbot::commands::testing::example_config();
    config.secrets["BETTER_AUTH_SECRET"].impact = "All sessions are invalidated; users must log in again.";
    const auto at = clock::time_point{std::chrono::seconds{1'790'000'000}};
    auto r = leaked_secret_record(config, "BETTER_AUTH_SECRET", at, "A-4", true, "all 4 steps succeeded", "U01");
    CHECK(r.what_leaked == "BETTER_AUTH_SECRET");
    CHECK(r.window_start == fill_in);
    CHECK(contains(r.window_end, "2026-09-21T"));
    CHECK(r.impact == "All sessions are invalidated; users must log in again.");
    CHECK(r.remediation == "rotation A-4 succeeded: all 4 steps succeeded");
    auto json = r.to_json();
    CHECK(json.at("exposure_window").at("start").as_string() == fill_in);
    CHECK(json.at("outcome").as_string() == "succeeded");
    CHECK(contains(r.render(), "*Impact:* All sessions"));

    auto failed = leaked_secret_record(config, "OPENAI_API_KEY", at, "A-5", false, "step 2 failed: <boom>", "U01");
    CHECK(failed.impact == fill_in);  // no impact configured for it
    CHECK(failed.outcome == "failed");
    CHECK(contains(failed.render(), "&lt;boom&gt;"));  // escaped
}

TEST_CASE("restore instructions name the variable, never a URL", "[commands][incident]") {
    recorded_backup b{"2026-11-27T09:00:00.000Z", "backups/production-20261127-090000.dump", "abc", true};
    auto text = restore_instructions(b, "PRODUCTION_DATABASE_URL", "restore_20261127_101500");
    CHECK(contains(text, "createdb --maintenance-db=\"$PRODUCTION_DATABASE_URL\" restore_20261127_101500"));
    CHECK(contains(text, "pg_restore --no-owner --exit-on-error --single-transaction -d \"$NEW_DATABASE_URL\" "
                         "backups/production-20261127-090000.dump"));
    CHECK(contains(text, "DATABASE_URL"));
    CHECK_FALSE(contains(text, "postgres://"));
    CHECK_FALSE(contains(text, "postgresql://"));
}
