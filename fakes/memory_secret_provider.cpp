// In-memory secret provider. See memory_secret_provider.hpp.
#include "fakes/memory_secret_provider.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::fakes {

memory_secret_provider::memory_secret_provider(std::string kind, call_log* log)
    : kind_(std::move(kind)), log_(log), test_call_(kind_ != "posthog") {
    keys_.push_back({new_id(), "opsbot-previous", new_value(), false});
}

std::string memory_secret_provider::new_id() {
    return kind_ == "posthog" ? "project-sandbox" : fmt::format("{}-key-{:04d}", kind_, next_id_++);
}

std::string memory_secret_provider::new_value() const {
    // Shaped like the provider's keys so the redactor treats them as the real thing.
    const auto random = adapters::random_hex(20);
    if (kind_ == "resend") {
        return "re_" + random;
    }
    if (kind_ == "openai") {
        return "sk-svcacct-" + random;
    }
    return "phc_" + random;
}

void memory_secret_provider::record(std::string call) {
    if (log_ != nullptr) {
        log_->add(std::move(call));
    }
}

result<std::vector<std::string>> memory_secret_provider::existing_key_ids() {
    record("provider.list");
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    if (kind_ == "posthog") {
        return ids;  // one project token, replaced by the reset
    }
    for (const auto& k : keys_) {
        if (!k.revoked) {
            ids.push_back(k.id);
        }
    }
    return ids;
}

result<adapters::issued_key> memory_secret_provider::create_key(const std::string& label) {
    record("provider.create " + label);
    std::lock_guard lock(mutex_);
    if (kind_ == "posthog") {
        for (auto& k : keys_) {
            k.revoked = true;  // reset_token invalidates the old token at once
        }
    }
    key k{new_id(), label, new_value(), false};
    keys_.push_back(k);
    last_issued_ = adapters::issued_key{k.id, k.value};
    spdlog::info("[sandbox] {}: created key {} ({})", kind_, k.id, label);
    return last_issued_;
}

result<void> memory_secret_provider::verify_key(const std::string& value) {
    record("provider.verify");
    std::lock_guard lock(mutex_);
    if (!test_call_) {
        return fail(error_kind::unavailable, kind_ == "posthog"
                                                 ? "PostHog: a project key cannot be checked without sending an event"
                                                 : kind_ + " (sandbox): no test call for a key");
    }
    if (refuse_verify_) {
        return fail(error_kind::auth, fmt::format("{} (sandbox): the new key was refused (401)", kind_), 401);
    }
    for (const auto& k : keys_) {
        if (k.value == value && !k.revoked) {
            return {};
        }
    }
    return fail(error_kind::auth, fmt::format("{} (sandbox): the key was refused (401)", kind_), 401);
}

result<void> memory_secret_provider::revoke_key(const std::string& id) {
    record("provider.revoke " + id);
    std::lock_guard lock(mutex_);
    for (auto& k : keys_) {
        if (k.id == id) {
            k.revoked = true;
        }
    }
    spdlog::info("[sandbox] {}: key {} revoked", kind_, id);
    return {};  // unknown or already revoked: gone either way
}

void memory_secret_provider::set_existing_keys(const std::vector<std::string>& ids) {
    std::lock_guard lock(mutex_);
    keys_.clear();
    for (const auto& id : ids) {
        keys_.push_back({id, "opsbot-previous", new_value(), false});
    }
}

void memory_secret_provider::refuse_verify() {
    std::lock_guard lock(mutex_);
    refuse_verify_ = true;
}

void memory_secret_provider::set_test_call(bool has_one) {
    std::lock_guard lock(mutex_);
    test_call_ = has_one;
}

std::vector<std::string> memory_secret_provider::live_key_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& k : keys_) {
        if (!k.revoked) {
            ids.push_back(k.id);
        }
    }
    return ids;
}

adapters::issued_key memory_secret_provider::last_issued() const {
    std::lock_guard lock(mutex_);
    return last_issued_;
}

}  // namespace opsbot::fakes
