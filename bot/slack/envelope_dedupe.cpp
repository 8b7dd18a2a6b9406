// Bounded memory of seen envelopes (docs/slack.md §1.5, §9.6).
#include "bot/slack/envelope_dedupe.hpp"

#include <algorithm>

namespace opsbot::bot {

envelope_dedupe::envelope_dedupe(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

bool envelope_dedupe::insert_if_new(const std::vector<std::string>& keys) {
    bool fresh = std::none_of(keys.begin(), keys.end(), [this](const auto& k) { return seen_.contains(k); });
    for (const auto& key : keys) {
        if (seen_.insert(key).second) {
            order_.push_back(key);
        }
    }
    while (order_.size() > capacity_) {
        seen_.erase(order_.front());
        order_.pop_front();
    }
    return fresh;
}

bool envelope_dedupe::contains(const std::string& key) const { return seen_.contains(key); }

void envelope_dedupe::erase(const std::vector<std::string>& keys) {
    for (const auto& key : keys) {
        if (seen_.erase(key) > 0) {
            order_.erase(std::remove(order_.begin(), order_.end(), key), order_.end());
        }
    }
}

}  // namespace opsbot::bot
