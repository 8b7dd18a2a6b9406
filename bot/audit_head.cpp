#include "bot/audit_head.hpp"

#include "bot/slack/block_kit.hpp"
#include "core/mrkdwn.hpp"
#include "storage/audit_anchor.hpp"
#include "storage/audit_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {

audit_head_publisher::audit_head_publisher(const stack_config& config, storage::database& db, const clock& clk,
                                           web_api& slack, std::chrono::hours period)
    : config_(config), db_(db), clk_(clk), slack_(slack), period_(period) {}

void audit_head_publisher::only_while(std::function<bool()> leads) {
    std::lock_guard lock(mutex_);
    leads_ = std::move(leads);
}

void audit_head_publisher::publish_now() {
    std::lock_guard lock(mutex_);
    if (leads_ && !leads_()) {
        return;  // another replica posts; should it stop, this one's next tick finds itself leading and posts
    }
    const std::string channel =
        config_.slack.audit_channel.empty() ? config_.slack.incident_channel : config_.slack.audit_channel;
    if (channel.empty()) {
        spdlog::warn("no slack.audit_channel or incident_channel configured: the audit head is not published");
        next_due_ = clk_.now() + period_;
        return;
    }
    storage::audit_log audit(db_, clk_);
    auto head = audit.head();
    if (!head) {
        spdlog::error("could not read the audit head to publish it: {}", head.error().message);
        return;
    }
    if (!*head) {
        return;  // nothing to anchor yet
    }
    const auto& entry = **head;
    // On PostgreSQL the command reads the database through the stack description (the URL stays in the environment);
    // the label (db_.path(): database and host, never the password) says which one.
    const std::string text =
        config_.database_on_postgres()
            ? fmt::format(":link: audit head {} — to check that the audit log still reaches it, unchanged and with "
                          "nothing cut off: `opsbot audit verify --config FILE --head {}:{}` (FILE: the stack "
                          "description of this bot, on {})",
                          storage::short_head(entry.seq, entry.hash), entry.seq, entry.hash, escape_mrkdwn(db_.path()))
            : fmt::format(":link: audit head {} — to check that the audit log still reaches it, unchanged and with "
                          "nothing cut off: `opsbot audit verify --db {} --head {}:{}`",
                          storage::short_head(entry.seq, entry.hash), escape_mrkdwn(config_.database), entry.seq,
                          entry.hash);
    if (auto posted = slack_.post_message(channel, text_message(text)); !posted) {
        spdlog::error("could not post the audit head to {}: {}", channel, posted.error().message);
        return;
    }
    spdlog::info("published the audit head {}", storage::short_head(entry.seq, entry.hash));
    next_due_ = clk_.now() + period_;
}

void audit_head_publisher::tick() {
    {
        std::lock_guard lock(mutex_);
        if (next_due_ && clk_.now() < *next_due_) {
            return;
        }
    }
    publish_now();
}

}  // namespace opsbot::bot
