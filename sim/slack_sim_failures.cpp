// The ways Slack refuses what the bot sends, and its ack deadline (docs/slack.md §1.5, §3, §4; issue 16 item 5):
// a channel the bot is not in, Block Kit Slack would not render, text over the length limit, a rate limit on chat.*,
// and an events_api envelope delivered again when its ack does not come in time.
#include "sim/slack_sim_impl.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include <set>

namespace opsbot::sim {
namespace {

namespace json = boost::json;

// Slack's limits (docs/slack.md §4). Top-level text: the published description lists `msg_too_long` for
// chat.postMessage and chat.update (api-specs/slack.json); it is answered here above the 40,000 characters at which
// Slack stops keeping a message's text.
constexpr size_t max_message_text = 40000;
constexpr size_t max_blocks = 50;
constexpr size_t max_section_text = 3000;
constexpr size_t max_header_text = 150;
constexpr size_t max_context_elements = 10;
constexpr size_t max_actions_elements = 25;

http_reply refusal(int status, const std::string& error, std::vector<std::pair<std::string, std::string>> extra = {}) {
    http_reply r{status, {{"Content-Type", "application/json; charset=utf-8"}},
                 json::serialize(json::object{{"ok", false}, {"error", error}})};
    r.headers.insert(r.headers.end(), extra.begin(), extra.end());
    return r;
}

/// Characters as Slack counts them (code points), not bytes.
size_t length_of(std::string_view utf8) {
    size_t n = 0;
    for (unsigned char c : utf8) {
        n += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

/// A text object `{"type":"mrkdwn"|"plain_text","text":…}` of at most `limit` characters, at least one.
bool text_object_ok(const json::value* v, size_t limit) {
    if (v == nullptr || !v->is_object()) {
        return false;
    }
    const auto& o = v->get_object();
    const auto* type = o.if_contains("type");
    const auto* text = o.if_contains("text");
    if (type == nullptr || !type->is_string() || (type->get_string() != "mrkdwn" && type->get_string() != "plain_text")) {
        return false;
    }
    if (text == nullptr || !text->is_string()) {
        return false;
    }
    const size_t n = length_of(text->get_string());
    return n >= 1 && n <= limit;
}

bool array_of_at_most(const json::value* v, size_t limit) {
    return v != nullptr && v->is_array() && !v->get_array().empty() && v->get_array().size() <= limit;
}

/// One block as Slack checks it before posting; the block types a message may hold.
bool block_ok(const json::value& block) {
    if (!block.is_object()) {
        return false;
    }
    const auto& b = block.get_object();
    const auto* type = b.if_contains("type");
    if (type == nullptr || !type->is_string()) {
        return false;
    }
    const std::string_view t = type->get_string();
    if (t == "section") {
        const auto* text = b.if_contains("text");
        const auto* fields = b.if_contains("fields");
        if (text == nullptr && fields == nullptr) {
            return false;
        }
        return (text == nullptr || text_object_ok(text, max_section_text)) && (fields == nullptr || fields->is_array());
    }
    if (t == "header") {
        return text_object_ok(b.if_contains("text"), max_header_text);
    }
    if (t == "context") {
        return array_of_at_most(b.if_contains("elements"), max_context_elements);
    }
    if (t == "actions") {
        return array_of_at_most(b.if_contains("elements"), max_actions_elements);
    }
    static const std::set<std::string_view> others{"divider", "image", "rich_text", "file", "input", "video"};
    return others.contains(t);
}

/// Slack's code for the blocks of a message, or nothing when they would be rendered.
std::optional<std::string> blocks_error(const json::object& body) {
    const auto* blocks = body.if_contains("blocks");
    if (blocks == nullptr || blocks->is_null()) {
        return std::nullopt;
    }
    if (blocks->is_string()) {
        return "invalid_blocks_format";  // form bodies carry the array as JSON text; it did not parse
    }
    if (!blocks->is_array()) {
        return "invalid_blocks_format";
    }
    const auto& list = blocks->get_array();
    if (list.size() > max_blocks) {
        return "invalid_blocks";  // "must provide an array of no more than 50 items"
    }
    for (const auto& block : list) {
        if (!block_ok(block)) {
            return "invalid_blocks";
        }
    }
    return std::nullopt;
}

std::string string_field(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(key); v != nullptr && v->is_string()) {
        return std::string(v->get_string());
    }
    return {};
}

}  // namespace

std::optional<http_reply> slack_simulator::impl::refuse_chat(const std::string& method, const json::object& body) {
    const std::string channel = string_field(body, "channel");
    {
        std::lock_guard lock(mutex_);
        // §3: 429 + Retry-After, before anything else is looked at.
        if (chat_rate_limit_remaining_ > 0) {
            --chat_rate_limit_remaining_;
            return refusal(429, "ratelimited", {{"Retry-After", std::to_string(chat_retry_after_seconds_)}});
        }
        // §3: `chat:write` posts only where the bot is a member (an ephemeral's failure is user_not_in_channel).
        if ((method == "chat.postMessage" || method == "chat.update") && left_channels_.contains(channel)) {
            return refusal(200, "not_in_channel");
        }
    }
    if (auto error = blocks_error(body)) {
        return refusal(200, *error);
    }
    if (length_of(string_field(body, "text")) > max_message_text) {
        return refusal(200, "msg_too_long");
    }
    return std::nullopt;
}

void slack_simulator::impl::on_ack_deadline(const std::string& envelope_id, int attempt, std::function<void()> again) {
    std::chrono::milliseconds deadline{0};
    {
        std::lock_guard lock(mutex_);
        if (!redelivery_deadline_ || attempt >= redelivery_max_retries_) {
            return;
        }
        deadline = *redelivery_deadline_;
    }
    boost::asio::post(ioc_, [this, envelope_id, deadline, again = std::move(again)]() mutable {
        auto timer = std::make_shared<boost::asio::steady_timer>(ioc_, deadline);
        timer->async_wait([this, timer, envelope_id, again = std::move(again)](const boost::system::error_code& ec) {
            if (ec) {
                return;  // the simulator is stopping
            }
            bool acked = false;
            {
                std::lock_guard lock(mutex_);
                settle_acks();
                for (const auto& a : acks_) {
                    acked = acked || a.envelope_id == envelope_id;
                }
            }
            if (!acked) {
                again();
            }
        });
    });
}

std::optional<int> slack_simulator::impl::take_upgrade_failure() {
    std::lock_guard lock(mutex_);
    if (upgrade_failures_left_ <= 0) {
        return std::nullopt;
    }
    --upgrade_failures_left_;
    return upgrade_failure_status_;
}

std::optional<std::string> slack_simulator::sent_frame(const std::string& envelope_id) const {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->sent_envelopes_.find(envelope_id);
    if (it == impl_->sent_envelopes_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void slack_simulator::fail_upgrades(int times, int status) {
    std::lock_guard lock(impl_->mutex_);
    impl_->upgrade_failures_left_ = times;
    impl_->upgrade_failure_status_ = status;
}

void slack_simulator::remove_bot_from_channel(const std::string& channel) {
    std::lock_guard lock(impl_->mutex_);
    impl_->left_channels_.insert(channel);
}

void slack_simulator::add_bot_to_channel(const std::string& channel) {
    std::lock_guard lock(impl_->mutex_);
    impl_->left_channels_.erase(channel);
}

void slack_simulator::rate_limit_chat(int times, int retry_after_seconds) {
    std::lock_guard lock(impl_->mutex_);
    impl_->chat_rate_limit_remaining_ = times;
    impl_->chat_retry_after_seconds_ = retry_after_seconds;
}

void slack_simulator::redeliver_unacked_events(std::chrono::milliseconds deadline, int max_retries) {
    std::lock_guard lock(impl_->mutex_);
    impl_->redelivery_deadline_ = deadline;
    impl_->redelivery_max_retries_ = max_retries;
}

}  // namespace opsbot::sim
