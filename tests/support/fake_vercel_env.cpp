// Fake Vercel project environment variables (platforms.md §1.5, §7): list, create/upsert, write records.
#include "tests/support/fake_vercel.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace opsbot::testing {

namespace json = boost::json;

namespace {

sim::response vercel_error(int status, std::string code, std::string message) {
    return sim::response::json(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}});
}

}  // namespace

void fake_vercel::set_env(const std::string& key, const std::string& value, const std::string& target,
                          const std::string& type) {
    std::lock_guard lock(mutex_);
    store_env_locked(key, value, type, target);
    for (auto& d : deployments_) {
        if (target == "production" && d.target == "production") {
            d.env[key] = value;
        }
    }
}

std::map<std::string, std::string> fake_vercel::production_env_locked() const {
    std::map<std::string, std::string> out;
    for (const auto& r : env_records_) {
        if (r.target == "production") {
            out[r.key] = r.value;
        }
    }
    return out;
}

std::optional<std::string> fake_vercel::served_env(const std::string& key) const {
    std::lock_guard lock(mutex_);
    // The aliased build: the newest READY production deployment marked PROMOTED, else the newest READY one.
    const fake_vercel_deployment* served = nullptr;
    for (bool promoted_only : {true, false}) {
        for (const auto& d : deployments_) {
            if (d.state == "READY" && d.target == "production" && (!promoted_only || d.ready_substate == "PROMOTED") &&
                (served == nullptr || d.created > served->created)) {
                served = &d;
            }
        }
        if (served != nullptr) {
            break;
        }
    }
    if (served == nullptr) {
        return std::nullopt;
    }
    auto it = served->env.find(key);
    return it == served->env.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<std::string> fake_vercel::env_value(const std::string& key, const std::string& target) const {
    std::lock_guard lock(mutex_);
    for (const auto& r : env_records_) {
        if (r.key == key && r.target == target) {
            return r.value;
        }
    }
    return std::nullopt;
}

std::vector<fake_vercel_env_write> fake_vercel::env_writes() const {
    std::lock_guard lock(mutex_);
    return env_writes_;
}

std::vector<std::string> fake_vercel::written_env_values(const std::string& key) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& w : env_writes_) {
        if (w.key == key) {
            out.push_back(w.value);
        }
    }
    return out;
}

void fake_vercel::fail_env_writes(int status, int count) {
    std::lock_guard lock(mutex_);
    env_failure_status_ = status;
    env_failures_left_ = count;
}

void fake_vercel::store_env_locked(const std::string& key, const std::string& value, const std::string& type,
                                   const std::string& target) {
    for (auto& r : env_records_) {
        if (r.key == key && r.target == target) {
            r.value = value;
            r.type = type;
            return;
        }
    }
    env_records_.push_back({"env_" + std::to_string(next_id_++), key, value, type, target,
                            1764201600000 + static_cast<std::int64_t>(env_records_.size()) * 1000});
}

sim::response fake_vercel::upsert_env(const sim::request& r) {
    boost::system::error_code ec;
    const auto body = json::parse(r.body, ec);
    if (ec || !body.is_object()) {
        return vercel_error(400, "bad_request", "Invalid request body");
    }
    const auto& b = body.get_object();
    const auto str = [&](const char* k) {
        const auto* v = b.if_contains(k);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    const bool upsert = r.query.contains("upsert") && r.query.at("upsert") == "true";
    std::lock_guard lock(mutex_);
    json::array failed;
    if (env_failures_left_ > 0) {
        --env_failures_left_;
        if (env_failure_status_ != 201) {
            return vercel_error(env_failure_status_, "internal_server_error", "The env write failed (fake knob)");
        }
        failed.push_back(json::object{{"error", json::object{{"code", "ENV_CONFLICT"},
                                                             {"message", "The env write failed (fake knob)"},
                                                             {"key", str("key")}}}});
        return sim::response::json(201, json::object{{"created", json::array{}}, {"failed", failed}});
    }
    if (str("key").empty() || !b.contains("value") || str("type").empty()) {
        return vercel_error(400, "bad_request", "Invalid request: missing required property `key`, `value` or `type`");
    }
    if (env_.contains(str("key")) && !upsert) {
        failed.push_back(json::object{{"error", json::object{{"code", "ENV_ALREADY_EXISTS"},
                                                             {"message", "A variable with that name already exists"},
                                                             {"key", str("key")}}}});
        return sim::response::json(201, json::object{{"created", json::array{}}, {"failed", failed}});
    }
    fake_vercel_env e{str("value"), str("type"), {}};
    json::array target;
    if (const auto* t = b.if_contains("target"); t && t->is_array()) {
        for (const auto& x : t->get_array()) {
            if (x.is_string()) {
                e.target.emplace_back(x.get_string());
                target.push_back(x);
            }
        }
    }
    env_[str("key")] = e;
    for (const auto& t : e.target) {
        store_env_locked(str("key"), e.value, e.type, t);
    }
    env_writes_.push_back({next_fake_sequence(), str("key"), e.value, e.type, e.target, upsert});
    json::object created{{"id", "env_" + std::to_string(next_id_++)},
                         {"key", str("key")},
                         {"value", "<enc>"},
                         {"type", e.type},
                         {"target", target},
                         {"createdAt", 1764201600000},
                         {"updatedAt", 1764201600000}};
    return sim::response::json(201, json::object{{"created", created}, {"failed", failed}});
}

sim::response fake_vercel::list_env(const sim::request& r) {
    // GET /v10/projects/{id}/env?target=… -> {"envs":[…]}, + pagination when the project has more than one page
    // (§1.5, §7). The description documents no parameter that asks for a next page, so none is honoured.
    const auto target = r.query.contains("target") ? r.query.at("target") : std::string();
    const bool decrypt = r.query.contains("decrypt") && r.query.at("decrypt") == "true";
    std::lock_guard lock(mutex_);
    std::vector<env_record> matching;
    for (const auto& rec : env_records_) {
        if (target.empty() || rec.target == target) {
            matching.push_back(rec);
        }
    }
    std::stable_sort(matching.begin(), matching.end(),
                     [](const auto& a, const auto& b) { return a.created > b.created; });
    const size_t page = options_.env_page_size > 0 ? static_cast<size_t>(options_.env_page_size) : matching.size();
    json::array envs;
    for (size_t i = 0; i < matching.size() && i < page; ++i) {
        const auto& rec = matching[i];
        // Without decrypt the API answers an encrypted blob; sensitive values are never readable (§1.5 [V19]).
        std::string shown = rec.type == "sensitive" ? "" : (decrypt ? rec.value : "enc:" + rec.id);
        envs.push_back(json::object{{"id", rec.id},
                                    {"key", rec.key},
                                    {"type", rec.type},
                                    {"target", json::array{json::value(rec.target)}},
                                    {"value", shown},
                                    {"createdAt", rec.created},
                                    {"updatedAt", rec.created}});
    }
    json::object answer{{"envs", std::move(envs)}};
    if (options_.env_page_size > 0) {
        const bool more = matching.size() > page;
        answer["pagination"] =
            json::object{{"count", std::min(page, matching.size())},
                         {"next", more ? json::value(matching[page - 1].created - 1) : json::value(nullptr)},
                         {"prev", nullptr}};
    }
    return sim::response::json(200, answer);
}

}  // namespace opsbot::testing
