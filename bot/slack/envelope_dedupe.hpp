#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

namespace opsbot::bot {

/// A bounded set of recently seen keys (envelope ids, event ids): the oldest is forgotten first.
/// Not thread-safe: the Socket Mode client uses it on its I/O thread only.
class envelope_dedupe {
public:
    explicit envelope_dedupe(size_t capacity);

    /// Remembers every key; true when none of them was seen before (the envelope is new).
    bool insert_if_new(const std::vector<std::string>& keys);
    bool contains(const std::string& key) const;
    /// Forgets keys (an ack that could not be written must not make a redelivery look like a duplicate).
    void erase(const std::vector<std::string>& keys);
    size_t size() const { return seen_.size(); }

private:
    size_t capacity_;
    std::deque<std::string> order_;
    std::unordered_set<std::string> seen_;
};

}  // namespace opsbot::bot
