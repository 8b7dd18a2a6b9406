// The Slack simulator's control API and Socket Mode bookkeeping (docs/slack.md §1.3, §1.4, §2).
#include "sim/slack_simulator.hpp"

#include "sim/slack_sim_impl.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace opsbot::sim {

namespace json = boost::json;
namespace asio = boost::asio;

slack_simulator::impl::impl(slack_simulator_options options) : options_(std::move(options)) {}

void slack_simulator::impl::changed() {
    ++generation_;
    changed_cv_.notify_all();
}

std::string slack_simulator::impl::make_id(std::string_view prefix) {
    std::lock_guard lock(mutex_);
    auto a = rng_();
    auto b = rng_();
    return fmt::format("{}{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", prefix, a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                       (b >> 48 & 0x3fff) | 0x8000, b & 0xffffffffffffULL);
}

std::string slack_simulator::impl::make_ts() {
    std::lock_guard lock(mutex_);
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return fmt::format("{}.{:06d}", secs.count(), ++ts_counter_ % 1000000);
}

std::string slack_simulator::impl::hello_frame(connection_id id) const {
    auto open = std::count_if(connections_.begin(), connections_.end(), [](const auto& c) { return c.second.open; });
    // §1.3: the hello shape of the official SDKs' mock servers.
    json::object hello{{"type", "hello"},
                       {"num_connections", open},
                       {"debug_info", {{"host", fmt::format("applink-sim-{}", id)},
                                       {"build_number", 1},
                                       {"approximate_connection_time", 18060}}},
                       {"connection_info", {{"app_id", options_.app_id}}}};
    return json::serialize(hello);
}

std::optional<connection_id> slack_simulator::impl::claim_ticket(const std::string& target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url || (url->path() != "/link/" && url->path() != "/link")) {
        return std::nullopt;
    }
    auto it = url->params().find("ticket");
    if (it == url->params().end()) {
        return std::nullopt;
    }
    std::string ticket = (*it).value;
    std::lock_guard lock(mutex_);
    auto found = tickets_.find(ticket);
    if (found == tickets_.end() || found->second) {
        spdlog::info("slack sim: refused WebSocket upgrade with an unknown or used ticket");
        return std::nullopt;
    }
    found->second = true;
    return ++next_connection_;
}

void slack_simulator::impl::on_ws_open(connection_id id, std::shared_ptr<ws_session_base> session) {
    std::lock_guard lock(mutex_);
    ws_connection_info info;
    info.id = id;
    info.opened_at = std::chrono::system_clock::now();
    connections_[id] = info;
    sessions_[id] = session;
    if (!hold_hello_) {
        connections_[id].hello_at = std::chrono::system_clock::now();
        session->send_text(hello_frame(id));
    }
    changed();
}

void slack_simulator::impl::on_ws_message(connection_id id, std::string text) {
    const auto arrived = std::chrono::system_clock::now();  // the ack is in once its frame is read, not parsed
    std::lock_guard lock(mutex_);
    unread_frames_.push_back(unread_frame{std::move(text), arrived, id});
    // Every frame a bot sends is an ack, so this count is an upper bound: the waiter parses and checks.
    if (!ack_targets_.empty() && acks_.size() + unread_frames_.size() >= *ack_targets_.begin()) {
        acks_cv_.notify_all();
    }
    changed();
}

void slack_simulator::impl::settle_acks() const {
    for (auto& frame : unread_frames_) {
        boost::system::error_code ec;
        auto value = json::parse(frame.text, ec);
        const json::value* envelope_id = nullptr;
        if (!ec && value.is_object()) {
            envelope_id = value.get_object().if_contains("envelope_id");
        }
        if (envelope_id == nullptr || !envelope_id->is_string()) {
            spdlog::warn("slack sim: link {} sent a frame that is not an ack", frame.connection);
            continue;
        }
        std::string acked(envelope_id->get_string());
        acks_.push_back(ack_record{std::move(acked), std::move(value.get_object()), frame.at, frame.connection});
    }
    unread_frames_.clear();
}

void slack_simulator::impl::on_envelope_written(const std::string& envelope_id, sim_time at) {
    std::lock_guard lock(mutex_);
    written_at_.emplace(envelope_id, at);
}

void slack_simulator::impl::on_ws_closed(connection_id id, int close_code, bool client_initiated) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    if (auto it = connections_.find(id); it != connections_.end()) {
        it->second.open = false;
        it->second.closed_at = std::chrono::system_clock::now();
        it->second.close_code = close_code;
        it->second.closed_by_client = client_initiated;
    }
    changed();
}

size_t slack_simulator::impl::for_targets(connection_id on,
                                        std::function<void(connection_id, std::shared_ptr<ws_session_base>)> fn) {
    std::vector<std::pair<connection_id, std::shared_ptr<ws_session_base>>> targets;
    {
        std::lock_guard lock(mutex_);
        std::vector<std::pair<connection_id, std::shared_ptr<ws_session_base>>> ready_links;
        for (auto& [id, session] : sessions_) {
            bool ready = connections_[id].hello_at.has_value();
            if (on == all_connections || on == id) {
                targets.emplace_back(id, session);
            } else if (on == newest_connection && ready) {
                targets.assign(1, {id, session});  // ids grow: the last ready one wins
            } else if (on == spread_connections && ready) {
                ready_links.emplace_back(id, session);
            }
        }
        if (!ready_links.empty()) {
            targets.push_back(ready_links[spread_next_++ % ready_links.size()]);
        }
    }
    for (auto& [id, session] : targets) {
        asio::post(ioc_, [fn, id, session] { fn(id, session); });
    }
    return targets.size();
}

std::string slack_simulator::impl::envelope_frame(const std::string& envelope_id, const std::string& type,
                                                  json::object payload, bool accepts_response_payload) {
    json::object env{{"envelope_id", envelope_id},
                     {"type", type},
                     {"payload", std::move(payload)},
                     {"accepts_response_payload", accepts_response_payload}};
    return json::serialize(env);
}

std::vector<std::string> slack_simulator::impl::deliver(std::vector<std::pair<std::string, std::string>> batch,
                                                        connection_id on) {
    if (on == spread_connections && batch.size() > 1) {
        // Spread envelope by envelope, as Slack spreads them: each goes to the next ready link.
        std::vector<std::string> each;
        for (auto& one : batch) {
            each.push_back(deliver({std::move(one)}, on).front());
        }
        return each;
    }
    std::vector<std::string> ids;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, frame] : batch) {
            sent_envelopes_[id] = frame;
            ids.push_back(id);
        }
    }
    // One hand-over to the I/O thread for the whole batch: a burst goes to the socket back to back.
    auto frames = std::make_shared<const decltype(batch)>(std::move(batch));
    auto count = for_targets(on, [frames](connection_id, std::shared_ptr<ws_session_base> s) {
        for (const auto& [id, frame] : *frames) {
            s->send_text(frame, id);
        }
    });
    if (count == 0) {
        spdlog::warn("slack sim: no live Socket Mode link to deliver to");
        std::fill(ids.begin(), ids.end(), std::string{});
    }
    return ids;
}

bool slack_simulator::impl::deliver_raw(std::string frame, connection_id on) {
    auto count = for_targets(on, [frame = std::move(frame)](connection_id, std::shared_ptr<ws_session_base> s) {
        s->send_text(frame);
    });
    if (count == 0) {
        spdlog::warn("slack sim: no live Socket Mode link to deliver to");
    }
    return count > 0;
}

// --- public API ---

slack_simulator::slack_simulator(slack_simulator_options options) : impl_(std::make_unique<impl>(std::move(options))) {
    impl_->start_network();
}

slack_simulator::~slack_simulator() { stop(); }

void slack_simulator::stop() {
    {
        std::lock_guard lock(impl_->mutex_);
        if (impl_->stopped_) {
            return;
        }
        impl_->stopped_ = true;
    }
    impl_->stop_network();
}

uint16_t slack_simulator::port() const { return impl_->port_; }
std::string slack_simulator::impl::base_url() const { return fmt::format("http://127.0.0.1:{}", port_); }
std::string slack_simulator::base_url() const { return impl_->base_url(); }
std::string slack_simulator::api_url() const { return base_url() + "/api/"; }
const slack_simulator_options& slack_simulator::options() const { return impl_->options_; }

std::string slack_simulator::send_envelope(const std::string& type, json::object payload, bool accepts_response_payload,
                                           std::string envelope_id, connection_id on) {
    if (envelope_id.empty()) {
        envelope_id = impl_->make_id("");
    }
    auto frame = impl_->envelope_frame(envelope_id, type, std::move(payload), accepts_response_payload);
    return impl_->deliver({{envelope_id, std::move(frame)}}, on).front();
}

bool slack_simulator::resend_envelope(const std::string& envelope_id, connection_id on) {
    std::string frame;
    {
        std::lock_guard lock(impl_->mutex_);
        auto it = impl_->sent_envelopes_.find(envelope_id);
        if (it == impl_->sent_envelopes_.end()) {
            return false;
        }
        frame = it->second;
    }
    return impl_->deliver_raw(std::move(frame), on);
}

bool slack_simulator::send_raw_frame(const std::string& text, connection_id on) { return impl_->deliver_raw(text, on); }

void slack_simulator::send_disconnect(const std::string& reason, connection_id on) {
    json::object frame{{"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "applink-sim"}}}};
    auto text = json::serialize(frame);
    auto grace = impl_->options_.disconnect_grace;
    impl_->for_targets(on, [text, reason, grace](connection_id, std::shared_ptr<ws_session_base> s) {
        s->send_text(text);
        if (reason == "link_disabled" || reason == "too_many_websockets") {
            s->send_close(1000);
        } else {
            s->close_after(grace);  // §1.3: "about 10 seconds" after a warning the link goes away
        }
    });
}

void slack_simulator::drop_connection(connection_id on) {
    impl_->for_targets(on, [](connection_id, std::shared_ptr<ws_session_base> s) { s->drop(); });
}

void slack_simulator::stop_answering_pings(bool stop) {
    impl_->for_targets(all_connections, [stop](connection_id, std::shared_ptr<ws_session_base> s) { s->set_paused(stop); });
}

void slack_simulator::hold_hello(bool hold) {
    std::vector<std::pair<connection_id, std::string>> release;
    {
        std::lock_guard lock(impl_->mutex_);
        impl_->hold_hello_ = hold;
        if (!hold) {
            for (auto& [id, info] : impl_->connections_) {
                if (info.open && !info.hello_at) {
                    info.hello_at = std::chrono::system_clock::now();
                    release.emplace_back(id, impl_->hello_frame(id));
                }
            }
            impl_->changed();
        }
    }
    for (auto& [id, frame] : release) {
        impl_->for_targets(id, [frame](connection_id, std::shared_ptr<ws_session_base> s) { s->send_text(frame); });
    }
}

void slack_simulator::rate_limit_connections_open(int times, int retry_after_seconds) {
    std::lock_guard lock(impl_->mutex_);
    impl_->rate_limit_remaining_ = times;
    impl_->retry_after_seconds_ = retry_after_seconds;
}

void slack_simulator::fail_post_message(const std::string& channel, int times, std::string error) {
    std::lock_guard lock(impl_->mutex_);
    impl_->post_failures_[channel] = {times, std::move(error)};
}

std::vector<ws_connection_info> slack_simulator::connections() const {
    std::lock_guard lock(impl_->mutex_);
    std::vector<ws_connection_info> out;
    for (const auto& [id, info] : impl_->connections_) {
        out.push_back(info);
    }
    return out;
}

size_t slack_simulator::open_connection_count() const {
    std::lock_guard lock(impl_->mutex_);
    return std::count_if(impl_->connections_.begin(), impl_->connections_.end(),
                         [](const auto& c) { return c.second.open; });
}

std::vector<ack_record> slack_simulator::acks() const {
    std::lock_guard lock(impl_->mutex_);
    impl_->settle_acks();
    return impl_->acks_;
}

size_t slack_simulator::ack_count() const {
    std::lock_guard lock(impl_->mutex_);
    impl_->settle_acks();
    return impl_->acks_.size();
}

std::map<std::string, sim_time> slack_simulator::written_at() const {
    std::lock_guard lock(impl_->mutex_);
    return impl_->written_at_;
}

bool slack_simulator::wait_for_acks(size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->mutex_);
    auto target = impl_->ack_targets_.insert(count);
    bool reached = impl_->acks_cv_.wait_for(lock, timeout, [&] {
        if (impl_->acks_.size() + impl_->unread_frames_.size() < count) {
            return false;
        }
        impl_->settle_acks();
        return impl_->acks_.size() >= count;
    });
    impl_->ack_targets_.erase(target);
    return reached;
}

std::vector<ack_record> slack_simulator::acks_for(const std::string& envelope_id) const {
    std::lock_guard lock(impl_->mutex_);
    impl_->settle_acks();
    std::vector<ack_record> out;
    std::copy_if(impl_->acks_.begin(), impl_->acks_.end(), std::back_inserter(out),
                 [&](const auto& a) { return a.envelope_id == envelope_id; });
    return out;
}

std::vector<api_call> slack_simulator::api_calls(const std::string& method) const {
    std::lock_guard lock(impl_->mutex_);
    std::vector<api_call> out;
    std::copy_if(impl_->calls_.begin(), impl_->calls_.end(), std::back_inserter(out),
                 [&](const auto& c) { return method.empty() || c.method == method; });
    return out;
}

std::vector<recorded_message> slack_simulator::messages(const std::string& kind) const {
    std::lock_guard lock(impl_->mutex_);
    std::vector<recorded_message> out;
    std::copy_if(impl_->messages_.begin(), impl_->messages_.end(), std::back_inserter(out),
                 [&](const auto& m) { return kind.empty() || m.kind == kind; });
    return out;
}

bool slack_simulator::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        uint64_t seen = 0;
        {
            std::lock_guard lock(impl_->mutex_);
            seen = impl_->generation_;
        }
        if (predicate()) {
            return true;
        }
        std::unique_lock lock(impl_->mutex_);
        if (!impl_->changed_cv_.wait_until(lock, deadline, [&] { return impl_->generation_ != seen; })) {
            lock.unlock();
            return predicate();
        }
    }
}

void slack_simulator::on_message(std::function<void(const recorded_message&)> observer) {
    std::lock_guard lock(impl_->mutex_);
    impl_->observer_ = std::move(observer);
}

}  // namespace opsbot::sim
