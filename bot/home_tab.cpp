// The App Home tab (issue 15 item 5): what it reads, and when it publishes. Runtime model (docs/design.md): the I/O
// thread only records the opener and posts a job; the job runs on the answer pool, asks the platforms concurrently
// under a deadline as /deploy status does (commands/deploy/status.cpp), and calls views.publish. No lock is held
// across I/O, and a refresh never waits for another: a newer one simply wins (generation numbers).
#include "bot/home_tab.hpp"

#include "commands/deploy/status.hpp"
#include "commands/grammar/format.hpp"
#include "commands/grammar/policy.hpp"
#include "commands/plan/concurrent_call.hpp"
#include "commands/plan/plan.hpp"
#include "core/mrkdwn.hpp"
#include "storage/action_store.hpp"
#include "storage/approval_store.hpp"
#include "storage/audit_log.hpp"
#include "storage/lock_store.hpp"
#include "storage/watch_store.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <optional>

namespace opsbot::bot {
namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
    return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

std::string live_line(const std::optional<result<commands::live_deployment>>& live, const std::string& platform,
                      std::chrono::milliseconds waited) {
    if (!live) {
        return ":warning: " + escape_mrkdwn(platform) + " did not answer within " + seconds_text(waited);
    }
    if (!*live) {
        return ":x: " + escape_mrkdwn(live->error().message);
    }
    const auto& l = **live;
    return fmt::format("`{}` · commit `{}` · {} · {}", escape_mrkdwn(l.id), escape_mrkdwn(l.commit.substr(0, 7)),
                       escape_mrkdwn(l.age), escape_mrkdwn(l.state));
}

std::string health_line(const std::optional<result<adapters::health_report>>& report,
                        std::chrono::milliseconds waited) {
    if (!report) {
        return ":warning: /health did not answer within " + seconds_text(waited);
    }
    if (!*report) {
        return ":x: /health: " + escape_mrkdwn(report->error().message);
    }
    const auto& h = **report;
    return h.ok ? std::string(":white_check_mark: /health: ok")
                : ":x: /health: " + escape_mrkdwn(h.reason.empty() ? h.status : h.reason);
}

/// The step a running action is at: its newest `step.started` audit entry (the executor writes one before each
/// step, bot/actions/step_loop.cpp).
void current_step(storage::audit_log& audit, home_running& r) {
    auto entries = audit.for_action(action_id(r.action_id));
    if (!entries) {
        return;
    }
    for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
        if (it->event != "step.started") {
            continue;
        }
        auto detail = boost::json::parse(it->detail_json);
        if (const auto* index = detail.as_object().if_contains("index"); index != nullptr && index->is_int64()) {
            r.step = static_cast<std::size_t>(index->as_int64());
        }
        if (const auto* d = detail.as_object().if_contains("description"); d != nullptr && d->is_string()) {
            r.step_text = std::string(d->as_string());
        }
        return;
    }
}

}  // namespace

home_tab::home_tab(home_tab_deps deps) : deps_(std::move(deps)) {}

void home_tab::on_opened(const std::string& user) {
    {
        std::lock_guard lock(openers_mutex_);
        openers_[user] = deps_.clk.now();
    }
    deps_.pool.post([this, user] {
        const std::uint64_t generation = ++generation_;  // taken as the snapshot starts: newer reads, higher numbers
        publish({user}, snapshot(), generation);
    });
}

void home_tab::on_state_changed() {
    {
        // Nobody looked at Home lately (the usual case): no job at all.
        const auto since = deps_.clk.now() - deps_.recent;
        std::lock_guard lock(openers_mutex_);
        if (std::none_of(openers_.begin(), openers_.end(), [&](const auto& o) { return o.second >= since; })) {
            return;
        }
    }
    // One refresh queued at a time: it is cleared as the job starts, so a change after the job read the database
    // queues the next one.
    if (refresh_queued_.exchange(true)) {
        return;
    }
    deps_.pool.post([this] {
        refresh_queued_ = false;
        const std::uint64_t generation = ++generation_;
        auto users = recent_openers();
        if (users.empty()) {
            return;
        }
        publish(users, snapshot(), generation);
    });
}

std::vector<std::string> home_tab::recent_openers() {
    const auto since = deps_.clk.now() - deps_.recent;
    std::vector<std::string> out;
    std::lock_guard lock(openers_mutex_);
    for (auto it = openers_.begin(); it != openers_.end();) {
        if (it->second < since) {
            published_.erase(it->first);
            it = openers_.erase(it);
        } else {
            out.push_back(it->first);
            ++it;
        }
    }
    return out;
}

void home_tab::publish(const std::vector<std::string>& users, const home_snapshot& shot, std::uint64_t generation) {
    for (const auto& user : users) {
        {
            // A later snapshot already went to this user (two refreshes overlapped): an older one must not replace it.
            std::lock_guard lock(openers_mutex_);
            auto& last = published_[user];
            if (last > generation) {
                continue;
            }
            last = generation;
        }
        auto sent = deps_.slack.publish_view(user, build_home_view(shot, user));
        if (!sent) {
            spdlog::error("could not publish the Home tab of {}: {}", user, sent.error().message);
        }
    }
}

home_snapshot home_tab::snapshot() {
    home_snapshot shot;
    const auto now = deps_.clk.now();
    shot.updated_at = commands::iso8601(now);
    shot.label = deps_.platforms.label;

    // Production first: the platform calls run concurrently while the database is read.
    struct service_calls {
        const service_config* service;
        std::future<result<commands::live_deployment>> live;
        std::optional<std::future<result<adapters::health_report>>> health;
    };
    const auto timeout = deps_.status_timeout;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<service_calls> calls;
    for (const auto& [name, service] : deps_.config.services) {
        service_calls c{&service,
                        commands::start_call([&service, &platforms = deps_.platforms, &clk = deps_.clk] {
                            return commands::fetch_live(service, platforms, "production", clk);
                        }),
                        std::nullopt};
        auto url = service.health_url.find("production");
        if (url != service.health_url.end() && deps_.platforms.health) {
            c.health = commands::start_call([checker = deps_.platforms.health.get(), u = url->second, timeout] {
                return checker->check(u, timeout);
            });
        }
        calls.push_back(std::move(c));
    }

    std::vector<std::string> problems;
    storage::action_store actions(deps_.db, deps_.clk);
    storage::approval_store approvals(deps_.db, deps_.clk);
    storage::audit_log audit(deps_.db, deps_.clk);
    if (auto waiting = actions.list(storage::action_state::awaiting_approval)) {
        for (const auto& a : *waiting) {
            if (a.expires_at <= now) {
                continue;  // expired; the sweeper marks it
            }
            home_plan p;
            p.action_id = a.id.str();
            p.title = a.subject;
            p.requester = a.requester.str();
            p.digest = a.plan_digest;
            p.expires_at = commands::iso8601(a.expires_at);
            p.required = a.required_approvals;
            for (const auto& step : commands::plan_from_json(boost::json::parse(a.plan_json)).steps) {
                p.steps.push_back(step.description);
            }
            if (auto rule = commands::approval_for(a.family, deps_.config)) {
                for (const auto& u : rule->approvers) {
                    p.approvers.insert(u.str());
                }
            }
            if (auto decisions = approvals.decisions(a.id)) {
                for (const auto& d : *decisions) {
                    if (d.decision == storage::decision::approve) {
                        p.approved_by.insert(d.user.str());
                    }
                }
            }
            p.approvals = static_cast<int>(p.approved_by.size());
            shot.plans.push_back(std::move(p));
        }
    } else {
        problems.push_back("plans: " + waiting.error().message);
    }
    if (auto running = actions.list_running()) {
        for (const auto& a : *running) {
            home_running r;
            r.action_id = a.id.str();
            r.title = a.subject;
            r.requester = a.requester.str();
            r.steps = commands::plan_from_json(boost::json::parse(a.plan_json)).steps.size();
            current_step(audit, r);
            shot.running.push_back(std::move(r));
        }
    } else {
        problems.push_back("running actions: " + running.error().message);
    }
    if (auto locks = storage::lock_store(deps_.db, deps_.clk).list_active()) {
        for (const auto& l : *locks) {
            shot.locks.push_back({l.service, l.environment, l.owner, l.reason, commands::iso8601(l.expires_at)});
        }
    } else {
        problems.push_back("locks: " + locks.error().message);
    }
    if (auto watches = storage::watch_store(deps_.db, deps_.clk).active()) {
        for (const auto& w : *watches) {
            const auto left = std::chrono::ceil<std::chrono::minutes>(w.ends_at - now).count();
            shot.watches.push_back({w.action.str(), w.title, std::max<long long>(left, 0), w.checks});
        }
    } else {
        problems.push_back("watches: " + watches.error().message);
    }
    if (auto tail = audit.tail(static_cast<std::int64_t>(home_audit_entries))) {
        for (const auto& e : *tail) {
            shot.audit.push_back({e.seq, e.time, e.actor, e.action ? e.action->str() : std::string{}, e.event});
        }
    } else {
        problems.push_back("audit: " + tail.error().message);
    }
    if (!problems.empty()) {
        std::string text = "Could not read";
        for (const auto& p : problems) {
            text += "\n• " + escape_mrkdwn(p);
        }
        shot.problems = text;
    }

    for (auto& c : calls) {
        home_service s;
        s.name = c.service->name;
        s.platform = std::string(display_name(c.service->platform));
        s.live_line = live_line(commands::await(c.live, deadline), s.platform, timeout);
        if (c.health) {
            s.health_line = health_line(commands::await(*c.health, deadline), timeout);
        }
        shot.services.push_back(std::move(s));
    }
    return shot;
}

}  // namespace opsbot::bot
