// The writer of one Socket Mode connection (bot/slack/socket_mode_connection.cpp) on a link that records what it is
// asked to write: a burst's acks go out gathered (more_follow, so the real link corks them into few TCP segments)
// and the last one is pushed; an ack alone is written at once, without waiting for company.
#include "bot/slack/socket_mode_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <deque>

namespace {

namespace asio = boost::asio;
using namespace opsbot::bot;

/// Hands out its frames one per turn of the I/O loop (as Beast does with frames it already holds) and records every
/// text written with its more_follow hint.
class recording_link final : public detail::ws_link {
public:
    explicit recording_link(asio::any_io_executor executor) : executor_(executor), arrived_(executor) {}

    void deliver(const std::vector<std::string>& frames) {
        incoming_.insert(incoming_.end(), frames.begin(), frames.end());
        arrived_.cancel();
    }

    std::vector<std::pair<std::string, bool>> written;

    asio::awaitable<void> connect(const detail::ws_target&, std::chrono::milliseconds) override { co_return; }

    asio::awaitable<std::string> read() override {
        while (incoming_.empty()) {
            if (destroyed_) {
                throw boost::system::system_error(asio::error::operation_aborted);
            }
            arrived_.expires_at(asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await arrived_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        co_await asio::post(executor_, asio::use_awaitable);
        std::string frame = std::move(incoming_.front());
        incoming_.pop_front();
        co_return frame;
    }

    asio::awaitable<void> write_text(const text_frame& text, bool more_follow) override {
        co_await asio::post(executor_, asio::use_awaitable);
        written.emplace_back(text.joined(), more_follow);
    }

    asio::awaitable<void> ping(std::string) override { co_return; }
    asio::awaitable<void> close(uint16_t) override { co_return; }

    void destroy() override {
        destroyed_ = true;
        arrived_.cancel();
    }

    void on_control(std::function<void(bool, std::string_view)>) override {}

private:
    asio::any_io_executor executor_;
    asio::steady_timer arrived_;
    std::deque<std::string> incoming_;
    bool destroyed_ = false;
};

std::string slash_command_frame(int n) {
    return R"({"type":"slash_commands","envelope_id":"e)" + std::to_string(n) +
           R"(","accepts_response_payload":true,"payload":{"command":"/deploy","text":"help"}})";
}

/// A connection on a recording link whose every envelope is acked with one shared payload.
struct fixture {
    asio::io_context ioc;
    opsbot::bot::socket_mode_options options;
    opsbot::bot::socket_mode_stats stats;
    recording_link* link = nullptr;
    std::shared_ptr<detail::connection> conn;
    shared_json payload = std::make_shared<const std::string>(R"({"text":"the help"})");

    fixture() {
        auto owned = std::make_unique<recording_link>(ioc.get_executor());
        link = owned.get();
        detail::connection_events events;
        events.on_envelope = [this](const std::shared_ptr<detail::connection>& c, envelope env) {
            c->send_text(make_ack(env.envelope_id, payload));
        };
        conn = std::make_shared<detail::connection>(1, ioc.get_executor(), std::move(owned), options, stats,
                                                    std::move(events));
        asio::co_spawn(ioc, conn->open(detail::ws_target{false, "127.0.0.1", "1", "/"}), asio::detached);
        ioc.poll();
        ioc.restart();  // poll() ran out of work, which stops the context
        link->deliver({R"({"type":"hello","num_connections":1})"});
        conn->start();
    }

    ~fixture() { conn->fail("test over"); }

    /// Runs the I/O loop one handler at a time until `count` texts were written, or until nothing is ready for a
    /// second (a writer that waits); returns how many handlers ran.
    int run_until_written(std::size_t count) {
        int handlers = 0;
        while (link->written.size() < count) {
            if (ioc.run_one_for(std::chrono::seconds(1)) == 0) {
                break;
            }
            ++handlers;
        }
        return handlers;
    }
};

}  // namespace

TEST_CASE("a burst's acks are written in order, gathered, and the last one is pushed", "[socket_mode]") {
    fixture f;
    constexpr int burst = 50;
    std::vector<std::string> frames;
    for (int i = 0; i < burst; ++i) {
        frames.push_back(slash_command_frame(i));
    }
    f.link->deliver(frames);
    f.run_until_written(burst);
    REQUIRE(f.link->written.size() == burst);

    int gathered = 0;
    for (int i = 0; i < burst; ++i) {
        const auto& [text, more_follow] = f.link->written[i];
        auto ack = boost::json::parse(text).as_object();
        CHECK(ack.at("envelope_id").as_string() == "e" + std::to_string(i));
        CHECK(ack.at("payload").at("text").as_string() == "the help");
        gathered += more_follow ? 1 : 0;
    }
    // Written with "more follow" while the reader was still adding: the link corks those together.
    CHECK(gathered > burst / 2);
    // Nothing is left corked behind the burst.
    CHECK_FALSE(f.link->written.back().second);
}

TEST_CASE("an ack alone is written within a few turns of the I/O loop, not held for company", "[socket_mode]") {
    fixture f;
    for (int i = 0; i < 3; ++i) {
        f.link->deliver({slash_command_frame(i)});
        const int handlers = f.run_until_written(static_cast<std::size_t>(i) + 1);
        REQUIRE(f.link->written.size() == static_cast<std::size_t>(i) + 1);
        CHECK(handlers < 20);
        CHECK_FALSE(f.link->written.back().second);
    }
}
