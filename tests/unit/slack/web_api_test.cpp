#include "bot/slack/block_kit.hpp"
#include "bot/slack/web_api.hpp"
#include "sim/http_server.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>

namespace json = boost::json;
using namespace std::chrono_literals;
using namespace opsbot;
using namespace opsbot::bot;

namespace {

const std::string bot_token = "xoxb-1111-2222-secretbottoken";
const std::string app_token = "xapp-1-A111-3333-secretapptoken";
const std::string connection_url = "wss://wss-primary.slack.com/link/?ticket=1234-5678&app_id=A111";

/// A fake of the Slack Web API answering with the documented JSON (reference/slack.md §1.1, §3).
/// A test may install an override that answers instead (return nullopt to fall through).
class fake_slack {
public:
    using override_fn = std::function<std::optional<sim::response>(const sim::request&)>;

    fake_slack() : server_([this](const sim::request& r) { return handle(r); }) {}

    std::string api_url() const { return server_.base_url() + "/slack/api/"; }
    std::string base_url() const { return server_.base_url(); }
    std::vector<sim::request> requests() const { return server_.requests(); }
    void set_override(override_fn fn) {
        std::lock_guard lock(mutex_);
        override_ = std::move(fn);
    }

private:
    sim::response handle(const sim::request& r) {
        {
            std::lock_guard lock(mutex_);
            if (override_) {
                if (auto answer = override_(r)) {
                    return *answer;
                }
            }
        }
        json::object body;
        if (r.header("Content-Type").value_or("").starts_with("application/json")) {
            body = json::parse(r.body).as_object();
        }
        if (r.path == "/slack/api/chat.postMessage") {
            return sim::response::json(200, {{"ok", true},
                                             {"channel", body.at("channel")},
                                             {"ts", "1503435956.000247"},
                                             {"message", {{"text", body.at("text")}, {"type", "message"}}}});
        }
        if (r.path == "/slack/api/chat.update") {
            return sim::response::json(
                200, {{"ok", true}, {"channel", body.at("channel")}, {"ts", body.at("ts")}, {"text", body.at("text")}});
        }
        if (r.path == "/slack/api/chat.postEphemeral") {
            return sim::response::json(200, {{"ok", true}, {"message_ts", "1502210682.580145"}});
        }
        if (r.path == "/slack/api/apps.connections.open") {
            return sim::response::json(200, {{"ok", true}, {"url", connection_url}});
        }
        if (r.path.starts_with("/commands/")) {
            return sim::response::text(200, "ok");
        }
        return sim::response::text(404, "not found");
    }

    std::mutex mutex_;
    override_fn override_;
    sim::http_server server_;
};

struct recorded_sleeps {
    std::mutex mutex;
    std::vector<std::chrono::milliseconds> waits;
};

std::unique_ptr<adapters::http_client> make_client(recorded_sleeps& sleeps) {
    adapters::http_options options;
    options.max_attempts = 3;
    options.initial_backoff = 1ms;
    options.sleep = [&sleeps](std::chrono::milliseconds wait) {
        std::lock_guard lock(sleeps.mutex);
        sleeps.waits.push_back(wait);
    };
    return adapters::make_http_client(options);
}

sim::response slack_error(std::string_view code, int status = 200) {
    return sim::response::json(status, {{"ok", false}, {"error", code}});
}

void check_no_secret(const error& e) {
    CHECK(e.message.find(bot_token) == std::string::npos);
    CHECK(e.message.find(app_token) == std::string::npos);
    CHECK(e.message.find("secret") == std::string::npos);
}

message sample_message() {
    return make_message("Deploy api@1.4.2?", json::array{section("*Deploy* `api@1.4.2`")});
}

}  // namespace

TEST_CASE("post_message sends JSON with the bot token and returns the ts", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);

    auto posted = api.post_message("C0DEPLOYS", sample_message(), "1503435900.000100");
    REQUIRE(posted.has_value());
    CHECK(posted->ts == "1503435956.000247");
    CHECK(posted->channel == "C0DEPLOYS");

    auto requests = slack.requests();
    REQUIRE(requests.size() == 1);
    const auto& r = requests[0];
    CHECK(r.method == "POST");
    CHECK(r.path == "/slack/api/chat.postMessage");
    CHECK(r.header("authorization") == "Bearer " + bot_token);
    CHECK(r.header("content-type") == "application/json; charset=utf-8");
    auto body = json::parse(r.body).as_object();
    CHECK(body.at("channel") == "C0DEPLOYS");
    CHECK(body.at("text") == "Deploy api@1.4.2?");
    CHECK(body.at("thread_ts") == "1503435900.000100");
    REQUIRE(body.at("blocks").as_array().size() == 1);
    CHECK(body.at("blocks").at(0).at("text").at("text") == "*Deploy* `api@1.4.2`");

    SECTION("without a thread_ts none is sent") {
        REQUIRE(api.post_message("C0DEPLOYS", sample_message()).has_value());
        auto second = json::parse(slack.requests().back().body).as_object();
        CHECK_FALSE(second.contains("thread_ts"));
    }
}

TEST_CASE("update_message and post_ephemeral", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);

    REQUIRE(api.update_message("C0DEPLOYS", "1503435956.000247", make_message("Approved", {})).has_value());
    REQUIRE(api.post_ephemeral("C0DEPLOYS", "U123", sample_message()).has_value());

    auto requests = slack.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].path == "/slack/api/chat.update");
    CHECK(requests[0].header("authorization") == "Bearer " + bot_token);
    auto update = json::parse(requests[0].body).as_object();
    CHECK(update.at("channel") == "C0DEPLOYS");
    CHECK(update.at("ts") == "1503435956.000247");
    CHECK(update.at("text") == "Approved");
    // An update clears the old blocks (and their buttons) explicitly.
    CHECK(update.at("blocks") == json::array{});

    CHECK(requests[1].path == "/slack/api/chat.postEphemeral");
    CHECK(requests[1].header("content-type") == "application/json; charset=utf-8");
    auto ephemeral = json::parse(requests[1].body).as_object();
    CHECK(ephemeral.at("channel") == "C0DEPLOYS");
    CHECK(ephemeral.at("user") == "U123");
    CHECK(ephemeral.at("blocks").as_array().size() == 1);
}

TEST_CASE("ok:false errors map to kinds with helpful text", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);

    auto answer_with = [&](sim::response response) {
        slack.set_override([response](const sim::request&) { return response; });
    };

    SECTION("channel_not_found") {
        answer_with(slack_error("channel_not_found"));
        auto posted = api.post_message("C0NOPE", sample_message());
        REQUIRE_FALSE(posted.has_value());
        CHECK(posted.error().kind == error_kind::not_found);
        CHECK(posted.error().message.find("chat.postMessage") != std::string::npos);
        CHECK(posted.error().message.find("channel_not_found") != std::string::npos);
        CHECK(posted.error().message.find("invite the bot") != std::string::npos);
        check_no_secret(posted.error());
    }
    SECTION("invalid_auth") {
        answer_with(slack_error("invalid_auth"));
        auto updated = api.update_message("C1", "1.2", sample_message());
        REQUIRE_FALSE(updated.has_value());
        CHECK(updated.error().kind == error_kind::auth);
        CHECK(updated.error().message.find("invalid_auth") != std::string::npos);
        check_no_secret(updated.error());
    }
    SECTION("missing_scope is forbidden, not auth") {
        answer_with(slack_error("missing_scope"));
        auto e = api.post_ephemeral("C1", "U1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::forbidden);
    }
    SECTION("message_not_found") {
        answer_with(slack_error("message_not_found"));
        auto e = api.update_message("C1", "1.2", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::not_found);
    }
    SECTION("ratelimited inside a 200") {
        answer_with(slack_error("ratelimited"));
        auto e = api.post_message("C1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::rate_limited);
    }
    SECTION("an error code carrying a token is not echoed") {
        answer_with(slack_error(bot_token));
        auto e = api.post_message("C1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().message.find("unrecognised_error") != std::string::npos);
        check_no_secret(e.error());
    }
    SECTION("malformed JSON reply") {
        answer_with(sim::response::text(200, "<html>upstream proxy error"));
        auto e = api.post_message("C1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::bad_response);
        check_no_secret(e.error());
    }
    SECTION("JSON without ok") {
        answer_with(sim::response::json(200, {{"channel", "C1"}}));
        auto e = api.post_message("C1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::bad_response);
    }
    SECTION("ok without a ts") {
        answer_with(sim::response::json(200, {{"ok", true}}));
        auto e = api.post_message("C1", sample_message());
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::bad_response);
    }
}

TEST_CASE("describe_slack_error gives advice", "[slack][web_api]") {
    CHECK(describe_slack_error("channel_not_found").starts_with("channel_not_found: the channel does not exist"));
    CHECK(describe_slack_error("not_in_channel").find("invite") != std::string::npos);
    CHECK(describe_slack_error("something_new").starts_with("something_new: "));
    CHECK(describe_slack_error("<script>").starts_with("unrecognised_error"));
}

TEST_CASE("429 with Retry-After is retried after the wait Slack asked for", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);

    std::mutex mutex;
    int calls = 0;
    slack.set_override([&](const sim::request&) -> std::optional<sim::response> {
        std::lock_guard lock(mutex);
        if (++calls == 1) {
            auto r = slack_error("ratelimited", 429);
            r.headers.emplace_back("Retry-After", "2");
            return r;
        }
        return std::nullopt;
    });

    auto posted = api.post_message("C0DEPLOYS", sample_message());
    REQUIRE(posted.has_value());
    CHECK(posted->ts == "1503435956.000247");
    CHECK(slack.requests().size() == 2);
    std::lock_guard lock(sleeps.mutex);
    REQUIRE_FALSE(sleeps.waits.empty());
    CHECK(sleeps.waits.front() >= 2000ms);
}

TEST_CASE("a Slack call answered 503 is sent again (a repeated post is better than a lost notice)",
          "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);
    std::mutex mutex;
    int calls = 0;
    slack.set_override([&](const sim::request&) -> std::optional<sim::response> {
        std::lock_guard lock(mutex);
        if (++calls == 1) {
            return sim::response::text(503, "Service Unavailable");
        }
        return std::nullopt;
    });

    auto posted = api.post_message("C0INC", sample_message());
    REQUIRE(posted.has_value());
    CHECK(slack.requests().size() == 2);
    auto url = api.open_connection();
    CHECK(url.has_value());
}

TEST_CASE("a 429 that persists is a rate_limited error", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);
    slack.set_override([](const sim::request&) -> std::optional<sim::response> {
        auto r = slack_error("ratelimited", 429);
        r.headers.emplace_back("Retry-After", "7");
        return r;
    });

    auto posted = api.post_message("C0DEPLOYS", sample_message());
    REQUIRE_FALSE(posted.has_value());
    CHECK(posted.error().kind == error_kind::rate_limited);
    REQUIRE(posted.error().retry_after.has_value());
    CHECK(*posted.error().retry_after >= 7000ms);
    check_no_secret(posted.error());
}

TEST_CASE("warnings in successful replies are logged", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);
    slack.set_override([](const sim::request&) -> std::optional<sim::response> {
        return sim::response::json(200, {{"ok", true},
                                         {"channel", "C1"},
                                         {"ts", "1.2"},
                                         {"warning", "missing_charset"},
                                         {"response_metadata", {{"warnings", {"message_truncated"}}}}});
    });
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
    spdlog::default_logger()->sinks().push_back(sink);

    auto posted = api.post_message("C1", sample_message());
    spdlog::default_logger()->sinks().pop_back();

    REQUIRE(posted.has_value());
    std::string logged;
    for (const auto& line : sink->last_formatted()) {
        logged += line;
    }
    CHECK(logged.find("missing_charset") != std::string::npos);
    CHECK(logged.find("message_truncated") != std::string::npos);
    CHECK(logged.find("warn") != std::string::npos);
}

TEST_CASE("respond posts to the response_url without a token", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);
    const std::string response_url = slack.base_url() + "/commands/T111/111/xxx";

    SECTION("plain ok answer, ephemeral") {
        REQUIRE(api.respond(response_url, sample_message(), response_visibility::ephemeral).has_value());
        auto requests = slack.requests();
        REQUIRE(requests.size() == 1);
        CHECK(requests[0].method == "POST");
        CHECK(requests[0].path == "/commands/T111/111/xxx");
        CHECK_FALSE(requests[0].header("authorization").has_value());
        CHECK(requests[0].header("content-type") == "application/json; charset=utf-8");
        auto body = json::parse(requests[0].body).as_object();
        CHECK(body.at("response_type") == "ephemeral");
        CHECK(body.at("replace_original") == false);
        CHECK(body.at("text") == "Deploy api@1.4.2?");
        CHECK(body.at("blocks").as_array().size() == 1);
    }
    SECTION("JSON ok answer, in_channel, replacing the original") {
        slack.set_override([](const sim::request&) -> std::optional<sim::response> {
            return sim::response::json(200, {{"ok", true}});
        });
        REQUIRE(api.respond(response_url, sample_message(), response_visibility::in_channel, true).has_value());
        auto body = json::parse(slack.requests().back().body).as_object();
        CHECK(body.at("response_type") == "in_channel");
        CHECK(body.at("replace_original") == true);
    }
    SECTION("an expired response_url is an error that does not reveal the url") {
        slack.set_override([](const sim::request&) -> std::optional<sim::response> {
            return sim::response::text(404, "expired_url");
        });
        auto e = api.respond(response_url, sample_message(), response_visibility::ephemeral);
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::not_found);
        CHECK(e.error().message.find("expired_url") != std::string::npos);
        CHECK(e.error().message.find("/commands/T111") == std::string::npos);
    }
    SECTION("ok:false JSON answer") {
        slack.set_override([](const sim::request&) -> std::optional<sim::response> {
            return slack_error("invalid_blocks");
        });
        auto e = api.respond(response_url, sample_message(), response_visibility::ephemeral);
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().kind == error_kind::invalid_input);
    }
    SECTION("an unreachable response_url does not reveal the url") {
        std::string dead_url;
        {
            sim::http_server dead([](const sim::request&) { return sim::response::text(200, "ok"); });
            dead_url = dead.base_url() + "/commands/T111/222/secretpath";
        }
        auto e = api.respond(dead_url, sample_message(), response_visibility::ephemeral);
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().message.find("secretpath") == std::string::npos);
    }
}

TEST_CASE("open_connection uses the app token and returns the wss url", "[slack][web_api]") {
    fake_slack slack;
    recorded_sleeps sleeps;
    auto http = make_client(sleeps);
    web_api api(*http, slack.api_url(), bot_token, app_token);

    auto url = api.open_connection();
    REQUIRE(url.has_value());
    CHECK(*url == connection_url);
    auto requests = slack.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].path == "/slack/api/apps.connections.open");
    CHECK(requests[0].header("authorization") == "Bearer " + app_token);
    CHECK(requests[0].header("content-type") == "application/x-www-form-urlencoded");
    CHECK(requests[0].body.empty());

    SECTION("a url that is not a WebSocket url is refused") {
        slack.set_override([](const sim::request&) -> std::optional<sim::response> {
            return sim::response::json(200, {{"ok", true}, {"url", "https://evil.example/link"}});
        });
        auto bad = api.open_connection();
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().kind == error_kind::bad_response);
    }
    SECTION("invalid_auth for the app token") {
        slack.set_override([](const sim::request&) -> std::optional<sim::response> {
            return slack_error("invalid_auth");
        });
        auto bad = api.open_connection();
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().kind == error_kind::auth);
        check_no_secret(bad.error());
    }
    SECTION("no app token configured") {
        web_api no_app(*http, slack.api_url(), bot_token, "");
        auto bad = no_app.open_connection();
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().kind == error_kind::auth);
        CHECK(slack.requests().size() == 1);  // nothing was sent
    }
}
