// /rotate end to end (issue #6, runbook §6): the real runtime over loopback against the fake Slack, the fake
// Railway / Vercel APIs and the fake Resend / OpenAI / PostHog key APIs. Request → a second person approves →
// every step → where the value went (exactly once per platform), the order of calls across the fakes
// (revoke only after verify), the manual `--continue`, the re-encryption command, a platform failing mid-plan,
// and a scan of every log line, Slack message, audit row and database byte for the secret values.
#include "tests/integration/rotate_test_world.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <fstream>
#include <regex>

using namespace opsbot;
using namespace opsbot::testing;
using namespace opsbot::rotate_test;
using namespace std::chrono_literals;

TEST_CASE("BETTER_AUTH_SECRET: approval by a second person, a 64-hex value written once, redeploy, health") {
    world w;
    w.h->command(requester, "/rotate", "BETTER_AUTH_SECRET");
    auto posted = w.h->message_of("A-1");
    REQUIRE(posted);
    CHECK(contains(text_of(*posted), "Rotate BETTER_AUTH_SECRET (production)"));
    CHECK(contains(text_of(*posted), "users must log in again"));
    CHECK(w.h->state_of("A-1") == "awaiting_approval");

    // The requester cannot approve their own rotation.
    w.h->click(requester, "A-1", "approve");
    CHECK(w.h->state_of("A-1") == "awaiting_approval");
    CHECK(w.h->railway().variable_writes().empty());

    w.h->click(approver_a, "A-1", "approve");
    CHECK(w.h->state_of("A-1") == "succeeded");
    auto written = w.h->railway().written_values("BETTER_AUTH_SECRET");
    REQUIRE(written.size() == 1);
    const std::string value = written[0];
    CHECK(std::regex_match(value, std::regex("^[0-9a-f]{64}$")));
    CHECK(w.h->railway().skip_deploys_seen() == std::vector<bool>{true});
    CHECK(w.h->vercel().written_env_values("BETTER_AUTH_SECRET").empty());
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 1);
    CHECK(railway_request_index(w, "variableCollectionUpsert") < railway_request_index(w, "serviceInstanceDeployV2"));
    CHECK(w.h->health().request_count() >= 1);

    // The rotation is announced in the incident channel, by fingerprint.
    auto incidents = w.incident_posts();
    REQUIRE(incidents.size() == 1);
    const std::string notice = text_of(incidents[0]);
    CHECK(contains(notice, "Rotate BETTER_AUTH_SECRET (production) succeeded"));
    CHECK(contains(notice, fingerprint(value)));
    CHECK(contains(notice, "holds the *new* value"));
    // The audit names the new value by its fingerprint only.
    auto events = w.h->audit_events("A-1");
    CHECK(std::count(events.begin(), events.end(), "step.succeeded") == 4);
    CHECK(w.h->audit_ok());
    CHECK(w.leaks_of(value).empty());
    // The same scan finds the fingerprint where it belongs (Slack, the audit of secret.generate): it can see.
    auto named = w.leaks_of(fingerprint(value));
    CHECK(std::ranges::any_of(named, [](const auto& where) { return where.starts_with("audit step.succeeded"); }));
    CHECK(std::ranges::any_of(named, [](const auto& where) { return where.starts_with("slack chat.postMessage"); }));
    CHECK(w.h->active_locks() == 0);
}

TEST_CASE("RESEND_API_KEY: a new key through the API, written once, verified, then only the old key revoked") {
    world w;
    const std::string old_id = w.resend.add_key("opsbot-20261101-000000");
    const std::string other_id = w.resend.add_key("marketing-newsletter");
    w.rotate_and_approve("RESEND_API_KEY");
    CHECK(w.h->state_of("A-1") == "succeeded");

    std::optional<fake_resend_key> made;
    for (const auto& k : w.resend.keys()) {
        if (k.id != old_id && k.id != other_id && k.id != "" && !k.revoked && k.token != w.resend.settings().admin_token) {
            made = k;
        }
    }
    REQUIRE(made);
    CHECK(w.resend.key(old_id)->revoked);
    CHECK_FALSE(w.resend.key(other_id)->revoked);
    CHECK(w.h->railway().written_values("RESEND_API_KEY") == std::vector<std::string>{made->token});

    // Order across the fakes: list, create, Railway write, verify, revoke.
    auto calls = w.resend.calls();
    auto write_seq = w.h->railway().variable_writes().at(0).seq;
    CHECK(first_seq(calls, "list") < first_seq(calls, "create"));
    CHECK(first_seq(calls, "create") < write_seq);
    CHECK(write_seq < first_seq(calls, "verify"));
    CHECK(first_seq(calls, "verify") < first_seq(calls, "revoke"));
    CHECK(w.leaks_of(made->token).empty());
    CHECK(contains(text_of(w.incident_posts().at(0)), "1 revoked after the new key was verified"));
}

TEST_CASE("OPENAI_API_KEY: a service-account key, verified before the old one is deleted, user keys untouched") {
    world w;
    const std::string old_id = w.openai.add_key(w.openai_account, "opsbot-20261101-000000");
    const std::string user_key = w.openai.add_key("", "someone's key");
    w.rotate_and_approve("OPENAI_API_KEY");
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.openai.key(old_id)->deleted);
    CHECK_FALSE(w.openai.key(user_key)->deleted);
    auto written = w.h->railway().written_values("OPENAI_API_KEY");
    REQUIRE(written.size() == 1);
    std::optional<fake_openai_key> made;
    for (const auto& k : w.openai.keys()) {
        if (k.value == written[0]) {
            made = k;
        }
    }
    REQUIRE(made);
    CHECK_FALSE(made->deleted);
    auto calls = w.openai.calls();
    CHECK(first_seq(calls, "create") < w.h->railway().variable_writes().at(0).seq);
    CHECK(first_seq(calls, "verify") < first_seq(calls, "revoke"));
    CHECK(w.leaks_of(made->value).empty());
    // OpenAI refuses deleting a service account's key (api-specs/openai.json): a new service account was made and
    // the old one deleted, with its key; no request went to …/api_keys.
    const auto accounts = w.openai.service_accounts();
    REQUIRE(accounts.size() == 2);
    CHECK(accounts[0].id == w.openai_account);
    CHECK(accounts[0].deleted);
    CHECK(accounts[1].id == made->service_account_id);
    CHECK(accounts[1].name.starts_with("opsbot-"));
    CHECK_FALSE(accounts[1].deleted);
    for (const auto& r : w.openai.requests()) {
        CHECK(r.path.find("/api_keys") == std::string::npos);
    }
    CHECK(contains(text_of(*w.h->message_of("A-1")), "service account"));
}

TEST_CASE("RESEND_API_KEY: a create Resend applied but answered 502 is not repeated, the orphan key is revoked") {
    world w;
    const std::string old_id = w.resend.add_key("opsbot-20261101-000000");
    w.resend.knobs().act_then_fail(502, {"POST", "/api-keys"});
    w.rotate_and_approve("RESEND_API_KEY");
    CHECK(w.h->state_of("A-1") == "failed");
    const auto calls = w.resend.calls();
    CHECK(std::count_if(calls.begin(), calls.end(), [](const auto& c) { return c.kind == "create"; }) == 1);
    const auto created = std::find_if(calls.begin(), calls.end(), [](const auto& c) { return c.kind == "create"; });
    REQUIRE(created != calls.end());
    // The key Resend made anyway is revoked (nobody saw its value); the old key stays in force; nothing written.
    CHECK(w.resend.key(created->key_id)->revoked);
    CHECK_FALSE(w.resend.key(old_id)->revoked);
    CHECK(w.h->railway().variable_writes().empty());
    const std::string shown = text_of(*w.h->message_of("A-1"));
    CHECK(contains(shown, "revoked (its value was never seen)"));
    CHECK(contains(shown, created->key_id));
    CHECK(w.h->active_locks() == 0);
}

TEST_CASE("OPENAI_API_KEY: a service account create whose answer was lost is not repeated, the orphan is deleted") {
    world w;
    w.openai.knobs().act_then_drop({"POST", "/service_accounts"});
    w.rotate_and_approve("OPENAI_API_KEY");
    CHECK(w.h->state_of("A-1") == "failed");
    const auto accounts = w.openai.service_accounts();
    REQUIRE(accounts.size() == 2);  // made once, not twice
    CHECK_FALSE(accounts[0].deleted);  // the account in use stays
    CHECK(accounts[1].deleted);        // this run's orphan is gone
    CHECK(w.h->railway().variable_writes().empty());
    CHECK(contains(text_of(*w.h->message_of("A-1")), "service account `" + accounts[1].id + "` revoked"));
}

TEST_CASE("POSTHOG_API_KEY: reset, the new token reaches Railway and Vercel exactly once each, both redeployed") {
    world w;
    const std::string initial = w.posthog.current_token();
    w.rotate_and_approve("POSTHOG_API_KEY");
    CHECK(w.h->state_of("A-1") == "succeeded");
    const std::string token = w.posthog.current_token();
    CHECK(token != initial);
    CHECK(w.h->railway().written_values("POSTHOG_API_KEY") == std::vector<std::string>{token});
    CHECK(w.h->vercel().written_env_values("POSTHOG_API_KEY") == std::vector<std::string>{token});
    auto vercel_writes = w.h->vercel().env_writes();
    REQUIRE(vercel_writes.size() == 1);
    CHECK(vercel_writes[0].type == "encrypted");
    CHECK(vercel_writes[0].target == std::vector<std::string>{"production"});
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 1);
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 1);
    CHECK(w.leaks_of(token).empty());
}

TEST_CASE("SENTRY_AUTH_TOKEN (manual): human steps, --continue only by the requester, then redeploy web") {
    world w;
    approve_and_reach_manual_step(w, "SENTRY_AUTH_TOKEN");
    CHECK(contains(final_text(w), "SENTRY_AUTH_TOKEN --continue"));

    auto stranger = continue_when_waiting(w, non_approver, "SENTRY_AUTH_TOKEN");
    CHECK(contains(stranger, "Only <@U01>"));
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 0);

    auto go = send_continue(w, requester, "SENTRY_AUTH_TOKEN");
    CHECK(contains(go, "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 1);
    CHECK(w.h->vercel().env_writes().empty());  // the human wrote the value, never the bot or Slack
    CHECK(contains(final_text(w), "left for a human"));
    CHECK(contains(text_of(w.incident_posts().at(0)), "succeeded"));
}

TEST_CASE("SENTRY_AUTH_TOKEN approved while dpl_Live3 was live, continued after dpl_B shipped: dpl_B is rebuilt") {
    world w;
    approve_and_reach_manual_step(w, "SENTRY_AUTH_TOKEN");
    // Someone ships dpl_B while the rotation waits for the person.
    fake_vercel_deployment shipped{"dpl_ShippedB", 1'764'000'000'000 + 8'000'000, "READY", "PROMOTED", "production",
                                   "4444444dddd", "main", true, "web"};
    w.h->vercel().add_deployment(shipped);
    auto go = continue_when_waiting(w, requester, "SENTRY_AUTH_TOKEN");
    CHECK(contains(go, "Continuing"));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    std::vector<std::string> rebuilt;
    for (const auto& r : w.h->vercel().requests()) {
        if (r.method == "POST" && r.path == "/v13/deployments") {
            rebuilt.emplace_back(boost::json::parse(r.body).as_object().at("deploymentId").as_string());
        }
    }
    // Before the fix this posted {"deploymentId":"dpl_Live3"} and production silently went back to older code.
    CHECK(rebuilt == std::vector<std::string>{"dpl_ShippedB"});
    CHECK(contains(final_text(w), "rebuilt `dpl_ShippedB`"));
}

TEST_CASE("SENTRY_DSN (manual): a continue before the Railway value changed keeps the rotation waiting") {
    world w;
    const std::string old_dsn = "https://0ldpublickey0000@o1.ingest.sentry.io/2";
    const std::string new_dsn = "https://n3wpublickey1111@o1.ingest.sentry.io/2";
    w.h->railway().set_variable("SENTRY_DSN", old_dsn);
    approve_and_reach_manual_step(w, "SENTRY_DSN");
    auto early = continue_when_waiting(w, requester, "SENTRY_DSN");
    CHECK(contains(early, "Not yet"));
    CHECK(contains(early, fingerprint(old_dsn)));
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 0);

    w.h->railway().set_variable("SENTRY_DSN", new_dsn);
    auto go = send_continue(w, requester, "SENTRY_DSN");
    CHECK(contains(go, "Continuing"));
    CHECK(contains(go, fingerprint(new_dsn)));
    w.h->settle();
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 1);
    CHECK(w.h->vercel().count("POST", "/v13/deployments") == 1);
    CHECK(w.leaks_of(new_dsn).empty());
    CHECK(w.leaks_of(old_dsn).empty());
}

TEST_CASE("CREDENTIAL_ENCRYPTION_KEY without a reencrypt_command is refused with the runbook's warning") {
    world w;
    w.h->command(requester, "/rotate", "CREDENTIAL_ENCRYPTION_KEY");
    CHECK_FALSE(w.h->message_of("A-1"));
    auto replies = w.h->slack().messages("response_url");
    REQUIRE_FALSE(replies.empty());
    CHECK(contains(text_of(replies.back()), "unreadable"));
    CHECK(contains(text_of(replies.back()), "Nothing was changed"));
    CHECK(w.h->railway().variable_writes().empty());
}

TEST_CASE("CREDENTIAL_ENCRYPTION_KEY with a reencrypt_command: both keys reach the command, then write") {
    temp_dir dir;
    const std::string log = (dir.path() / "reencrypt.log").string();
    world w({"/bin/sh", source_dir() + "/tests/fixtures/rotate/reencrypt.sh", log});
    const std::string old_key = "0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0bad";
    w.h->railway().set_variable("CREDENTIAL_ENCRYPTION_KEY", old_key);
    w.rotate_and_approve("CREDENTIAL_ENCRYPTION_KEY");
    CHECK(w.h->state_of("A-1") == "succeeded");
    auto written = w.h->railway().written_values("CREDENTIAL_ENCRYPTION_KEY");
    REQUIRE(written.size() == 1);
    CHECK(std::regex_match(written[0], std::regex("^[0-9a-f]{64}$")));
    std::ifstream in(log);
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == fingerprint(old_key) + " " + fingerprint(written[0]));
    CHECK_FALSE(std::getline(in, line));  // ran once
    CHECK(w.leaks_of(written[0]).empty());
    CHECK(w.leaks_of(old_key).empty());
}

TEST_CASE("a platform failing mid-plan: stop, say which services hold the new value, and the way back") {
    world w;
    w.h->vercel().fail_env_writes(201, 5);  // {"created":[],"failed":[…]} (§1.5)
    w.rotate_and_approve("POSTHOG_API_KEY");
    CHECK(w.h->state_of("A-1") == "failed");
    auto incidents = w.incident_posts();
    REQUIRE(incidents.size() == 1);
    const std::string notice = text_of(incidents[0]);
    CHECK(contains(notice, "failed"));
    CHECK(contains(notice, "`api` (Railway production): holds the *new* value"));
    CHECK(contains(notice, "`web` (Vercel production): still holds the *old* value"));
    CHECK(contains(notice, "PostHog already invalidated the old key"));
    CHECK(w.h->railway().count_operation("serviceInstanceDeployV2") == 0);
    CHECK(w.leaks_of(w.posthog.current_token()).empty());
    CHECK(w.h->active_locks() == 0);
}

TEST_CASE("a failed write never leads to a revoke: the old Resend key stays valid") {
    world w;
    const std::string old_id = w.resend.add_key("opsbot-20261101-000000");
    w.h->railway().fail_variable_upserts("Internal server error");
    w.rotate_and_approve("RESEND_API_KEY");
    CHECK(w.h->state_of("A-1") == "failed");
    CHECK_FALSE(w.resend.key(old_id)->revoked);
    CHECK(first_seq(w.resend.calls(), "revoke") == 0);
    CHECK(first_seq(w.resend.calls(), "verify") == 0);
    const std::string notice = text_of(w.incident_posts().at(0));
    CHECK(contains(notice, "still holds the *old* value"));
    CHECK(contains(notice, "0 of 1 revoked"));
    CHECK(contains(notice, "was not revoked"));
}

TEST_CASE("a dry run (--dry-run) shows the plan to the requester and changes nothing") {
    world w;
    w.h->command(requester, "/rotate", "OPENAI_API_KEY --dry-run");
    CHECK_FALSE(w.h->message_of("A-1"));
    auto replies = w.h->slack().messages("response_url");
    REQUIRE_FALSE(replies.empty());
    const std::string shown = text_of(replies.back());
    CHECK(contains(shown, "Rotate OPENAI_API_KEY (production)"));
    CHECK(contains(shown, "Revoke the old OPENAI_API_KEY"));
    CHECK(w.openai.calls().empty());
    CHECK(w.h->railway().variable_writes().empty());
}

TEST_CASE("an unknown secret is refused with the list of configured secrets") {
    world w;
    w.h->command(requester, "/rotate", "STRIPE_SECRET_KEY");
    CHECK_FALSE(w.h->message_of("A-1"));
    // The refusal is the envelope's ack payload; the simulator may record it a moment after the bot settled.
    REQUIRE(w.h->slack().wait_for([&] { return !w.h->slack().acks().empty(); }, 20s));
    auto acks = w.h->slack().acks();
    auto answer = boost::json::serialize(acks.back().ack);
    CHECK(contains(answer, "STRIPE_SECRET_KEY"));
    CHECK(contains(answer, "BETTER_AUTH_SECRET"));
    CHECK(contains(answer, "POSTHOG_API_KEY"));
}

TEST_CASE("a Railway GraphQL error quoting the new value: Slack, logs and audit never carry it") {
    world w;
    w.h->railway().fail_variable_upserts("Invalid value \"{value}\" for variable BETTER_AUTH_SECRET");
    w.rotate_and_approve("BETTER_AUTH_SECRET");
    CHECK(w.h->state_of("A-1") == "failed");
    const auto refused = w.h->railway().refused_values();
    REQUIRE(refused.size() == 1);
    CHECK(std::regex_match(refused[0], std::regex("^[0-9a-f]{64}$")));
    // The error still reaches people, without the value (the fake quoted it: refused_values above).
    CHECK(contains(final_text(w), "Invalid value"));
    CHECK(contains(final_text(w), "[redacted"));
    CHECK(w.leaks_of(refused[0]).empty());
}

TEST_CASE("RESEND_API_KEY rotated twice in one bot: the second rotation revokes the key the first made") {
    world w;
    const std::string old_id = w.resend.add_key("opsbot-20261101-000000");
    w.rotate_and_approve("RESEND_API_KEY");
    REQUIRE(w.h->state_of("A-1") == "succeeded");
    CHECK(w.resend.key(old_id)->revoked);
    const auto first = w.h->railway().written_values("RESEND_API_KEY");
    REQUIRE(first.size() == 1);
    std::string first_id;
    for (const auto& k : w.resend.keys()) {
        if (k.token == first[0]) {
            first_id = k.id;
        }
    }
    REQUIRE_FALSE(first_id.empty());
    CHECK_FALSE(w.resend.key(first_id)->revoked);

    // A retry, or /incident secret-leaked after /rotate: the same process rotates again.
    w.h->command(requester, "/rotate", "RESEND_API_KEY");
    REQUIRE(w.h->button("A-2", "approve"));
    w.h->click(approver_a, "A-2", "approve");
    REQUIRE(w.h->state_of("A-2") == "succeeded");
    const auto written = w.h->railway().written_values("RESEND_API_KEY");
    REQUIRE(written.size() == 2);
    CHECK(w.resend.key(first_id)->revoked);
    for (const auto& k : w.resend.keys()) {
        if (k.token == written[1]) {
            CHECK_FALSE(k.revoked);  // never the key this run made
        }
    }
    auto incidents = w.incident_posts();
    REQUIRE(incidents.size() == 2);
    CHECK(contains(text_of(incidents[1]), "1 revoked after the new key was verified"));
    CHECK(w.leaks_of(written[1]).empty());
}

TEST_CASE("RESEND_API_KEY with no opsbot-made key: nothing revoked, and people are told to revoke by hand") {
    world w;
    const std::string foreign = w.resend.add_key("production");  // made in the dashboard, not by opsbot
    w.rotate_and_approve("RESEND_API_KEY");
    CHECK(w.h->state_of("A-1") == "succeeded");
    CHECK_FALSE(w.resend.key(foreign)->revoked);
    CHECK(first_seq(w.resend.calls(), "revoke") == 0);
    const std::string shown = final_text(w);
    CHECK(contains(shown, "not made by opsbot"));
    CHECK(contains(shown, "revoke it by hand in the Resend dashboard"));
    CHECK_FALSE(contains(shown, "no old key to revoke"));
    const std::string notice = text_of(w.incident_posts().at(0));
    CHECK(contains(notice, "not made by opsbot"));
    CHECK(contains(notice, "revoke it by hand"));
    CHECK_FALSE(contains(notice, "revoked after the new key was verified"));
}

TEST_CASE("a /rotate redeploy on Vercel rebuilds the same commit: no withLatestCommit") {
    world w;
    w.rotate_and_approve("POSTHOG_API_KEY");
    REQUIRE(w.h->state_of("A-1") == "succeeded");
    int posts = 0;
    for (const auto& r : w.h->vercel().requests()) {
        if (r.method == "POST" && r.path == "/v13/deployments") {
            ++posts;
            const auto body = boost::json::parse(r.body).as_object();
            const auto* latest = body.if_contains("withLatestCommit");
            CHECK((latest == nullptr || *latest == false));
        }
    }
    CHECK(posts == 1);
    // The verify outcome says what was checked: PostHog has no test call, web (Vercel) had no health check.
    const std::string shown = final_text(w);
    CHECK(contains(shown, "itself was not tested"));
    CHECK(contains(shown, "`web` got no health check"));
    CHECK_FALSE(contains(shown, "stand for the new key"));
}
