#pragma once

#include "bot/slack/web_api.hpp"
#include "core/clock.hpp"
#include "config/config.hpp"
#include "storage/database.hpp"

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace opsbot::bot {

/// Publishes the audit log's head where the database's owner cannot rewrite it (issue 12): at start and then once
/// a day (by the injected clock), "audit head #SEQ HASH12" and the command that checks it —
/// `opsbot audit verify --db FILE --head SEQ:HASH`, or `--config FILE` on PostgreSQL — go to slack.audit_channel,
/// or the incident channel when none is set. A log cut off or rewritten after a published head then fails that check. Thread-safe.
class audit_head_publisher {
public:
    audit_head_publisher(const stack_config& config, storage::database& db, const clock& clk, web_api& slack,
                         std::chrono::hours period = std::chrono::hours{24});

    /// Posts the head now (start-up) and schedules the next post a period later. An empty log has no head: nothing
    /// is posted and the next tick tries again; so does a post Slack refused (logged).
    void publish_now();

    /// Posts when the next post is due by the injected clock (the runtime's ticker; tests after moving the clock).
    void tick();

    /// Replicas (issue 14: the daily post fires once in the cluster): posts — at start and daily — only while
    /// `leads()` says this process leads (storage/replica_store: the oldest live replica). Unset: always.
    void only_while(std::function<bool()> leads);

private:
    const stack_config& config_;
    storage::database& db_;
    const clock& clk_;
    web_api& slack_;
    std::chrono::hours period_;
    std::mutex mutex_;
    std::optional<clock::time_point> next_due_;  ///< nullopt: due now
    std::function<bool()> leads_;
};

}  // namespace opsbot::bot
