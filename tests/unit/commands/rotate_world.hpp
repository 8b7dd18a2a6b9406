#pragma once
// Small in-memory implementations of the adapter interfaces /rotate uses (no sockets): every call is written
// to one shared log so tests can check the order of writes, redeploys, verification and revocation.

#include "commands/plan/platform_registry.hpp"
#include "tests/unit/commands/test_config.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace opsbot::commands::testing {

struct call_log {
    std::vector<std::string> calls;
    void add(std::string c) { calls.push_back(std::move(c)); }
    /// Index of the first call starting with `prefix`; -1 when none.
    int index_of(const std::string& prefix) const {
        for (size_t i = 0; i < calls.size(); ++i) {
            if (calls[i].starts_with(prefix)) {
                return static_cast<int>(i);
            }
        }
        return -1;
    }
    size_t count(const std::string& prefix) const {
        size_t n = 0;
        for (const auto& c : calls) {
            n += c.starts_with(prefix) ? 1 : 0;
        }
        return n;
    }
};

class mem_railway final : public adapters::railway_platform {
public:
    mem_railway(call_log& log, std::string name) : log_(log), name_(std::move(name)) {}
    result<std::vector<adapters::railway_deployment>> list_deployments(const std::string&, int) override {
        adapters::railway_deployment live;
        live.id = "rw-live";
        live.status = "SUCCESS";
        live.created_at = "2026-11-26T10:00:00.000Z";
        return std::vector<adapters::railway_deployment>{live};
    }
    result<adapters::railway_deployment> latest_deployment(const std::string& environment) override {
        return list_deployments(environment, 1)->front();
    }
    result<std::string> deployment_status(const std::string&) override { return std::string("SUCCESS"); }
    result<void> rollback(const std::string&) override { return fail(error_kind::unavailable, "unused"); }
    result<std::string> redeploy_latest(const std::string& environment) override {
        log_.add("railway.redeploy " + name_ + " " + environment);
        if (fail_redeploy) {
            return fail(error_kind::conflict, "deploy refused");
        }
        return std::string("rw-new");
    }
    result<void> upsert_variables(const std::string& environment, const std::map<std::string, std::string>& vars,
                                  bool skip_deploys) override {
        log_.add(fmt::format("railway.upsert {} {} skip={}", name_, environment, skip_deploys));
        if (fail_upsert || (!fail_upsert_of.empty() && vars.contains(fail_upsert_of))) {
            return fail(error_kind::bad_response, "Railway said no");
        }
        for (const auto& [k, v] : vars) {
            values[k] = v;
            written.push_back(v);
        }
        return {};
    }
    result<std::map<std::string, std::string>> variables(const std::string&) override {
        log_.add("railway.variables " + name_);
        return values;
    }

    std::map<std::string, std::string> values;
    std::vector<std::string> written;
    bool fail_upsert = false;
    std::string fail_upsert_of;  ///< only upserts that write this variable fail
    bool fail_redeploy = false;

private:
    call_log& log_;
    std::string name_;
};

class mem_vercel final : public adapters::vercel_platform {
public:
    explicit mem_vercel(call_log& log) : log_(log) {}
    result<std::vector<adapters::vercel_deployment>> list_production_deployments(int) override { return current(); }
    result<adapters::vercel_deployment> get_deployment(const std::string& id) override {
        adapters::vercel_deployment d;
        d.id = id;
        d.state = "READY";
        return d;
    }
    result<adapters::vercel_deployment> current_production() override { return current().front(); }
    result<void> request_rollback(const std::string&) override { return fail(error_kind::unavailable, "unused"); }
    result<void> request_promote(const std::string&) override { return fail(error_kind::unavailable, "unused"); }
    result<adapters::vercel_alias_job> alias_job_status() override { return fail(error_kind::unavailable, "unused"); }
    result<std::string> redeploy(const std::string& from, const std::string&, const std::string&,
                                 bool latest_commit) override {
        log_.add("vercel.redeploy " + from + (latest_commit ? " latest_commit" : ""));
        return std::string("dpl_New");
    }
    result<void> upsert_env(const std::string& key, const std::string& value, const std::string& type,
                            const std::vector<std::string>& targets) override {
        log_.add(fmt::format("vercel.upsert {} {} {}", key, type, fmt::join(targets, ",")));
        if (fail_upsert) {
            return fail(error_kind::http_status, "Vercel said no", 500);
        }
        written.push_back(value);
        return {};
    }

    std::vector<std::string> written;
    bool fail_upsert = false;

private:
    std::vector<adapters::vercel_deployment> current() {
        adapters::vercel_deployment d;
        d.id = "dpl_Live";
        d.name = "web";
        d.state = "READY";
        d.target = "production";
        d.created_ms = 1'764'000'000'000;
        d.commit_sha = "3333333cccc";
        return {d};
    }
    call_log& log_;
};

class mem_health final : public adapters::health_checker {
public:
    explicit mem_health(call_log& log) : log_(log) {}
    result<adapters::health_report> check(const std::string& url, std::chrono::milliseconds) override {
        log_.add("health " + url);
        adapters::health_report r;
        r.ok = true;
        r.http_status = 200;
        r.status = "ok";
        return r;
    }

private:
    call_log& log_;
};

class mem_provider final : public adapters::secret_provider {
public:
    mem_provider(call_log& log, std::string name, bool resets) : log_(log), name_(std::move(name)), resets_(resets) {}
    std::string name() const override { return name_; }
    result<std::vector<std::string>> existing_key_ids() override {
        log_.add("provider.list");
        return old_ids;
    }
    result<adapters::issued_key> create_key(const std::string& label) override {
        log_.add("provider.create " + label);
        return adapters::issued_key{"key_new", token};
    }
    result<void> verify_key(const std::string& value) override {
        log_.add("provider.verify");
        if (no_test_call) {
            return fail(error_kind::unavailable, "no test call");
        }
        if (value != token || fail_verify) {
            return fail(error_kind::auth, "key refused");
        }
        return {};
    }
    result<void> revoke_key(const std::string& id) override {
        log_.add("provider.revoke " + id);
        return {};
    }
    bool create_revokes_old() const override { return resets_; }

    std::string token = "re_NEWTOKEN_abcdef0123456789";
    std::vector<std::string> old_ids{"key_old1", "key_old2"};  ///< what existing_key_ids() lists
    bool fail_verify = false;
    bool no_test_call = false;  ///< verify_key answers unavailable (PostHog)

private:
    call_log& log_;
    std::string name_;
    bool resets_;
};

/// The example config with all seven secrets of runbook §6 and a world of in-memory adapters.
struct rotate_world {
    stack_config config = example_config();
    call_log log;
    platform_registry platforms;
    mem_railway* api = nullptr;
    mem_vercel* web = nullptr;
    std::map<std::string, mem_provider*> providers;

    rotate_world() {
        config.services["api"].environments = {{"production", "env-prod"}, {"staging", "env-stg"}};
        config.services["api"].health_url = {{"production", "http://127.0.0.1:1/health"}};
        auto add = [&](const char* name, const char* generate, std::vector<std::string> services) {
            secret_config s;
            s.name = name;
            s.generate = opsbot::parse_generator(generate).value();
            s.services = std::move(services);
            config.secrets[name] = s;
        };
        add("BETTER_AUTH_SECRET", "hex32", {"api"});
        config.secrets["BETTER_AUTH_SECRET"].impact = "All existing sessions are invalidated; users must log in again.";
        add("OPENAI_API_KEY", "openai", {"api"});
        add("CREDENTIAL_ENCRYPTION_KEY", "hex32", {"api"});
        add("RESEND_API_KEY", "resend", {"api"});
        add("SENTRY_DSN", "manual", {"api", "web"});
        add("SENTRY_AUTH_TOKEN", "manual", {"web"});
        add("POSTHOG_API_KEY", "posthog", {"api", "web"});
        auto railway = std::make_unique<mem_railway>(log, "api");
        api = railway.get();
        platforms.railway["api"] = std::move(railway);
        auto vercel = std::make_unique<mem_vercel>(log);
        web = vercel.get();
        platforms.vercel["web"] = std::move(vercel);
        platforms.health = std::make_unique<mem_health>(log);
        for (auto [name, kind, resets] : {std::tuple{"OPENAI_API_KEY", "openai", false},
                                          std::tuple{"RESEND_API_KEY", "resend", false},
                                          std::tuple{"POSTHOG_API_KEY", "posthog", true}}) {
            auto p = std::make_unique<mem_provider>(log, kind, resets);
            providers[name] = p.get();
            platforms.secret_providers[name] = std::move(p);
        }
        platforms.config = &config;
    }
};

}  // namespace opsbot::commands::testing
