#include "bench/floor_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <thread>

namespace opsbot::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// POST apps.connections.open: the ws:// URL of a new link.
std::string open_link(asio::io_context& ioc, const std::string& api_url, const std::string& app_token) {
    const std::string open_url = api_url + "apps.connections.open";
    auto url = boost::urls::parse_uri(open_url).value();
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(std::string(url.host()), std::string(url.port())));
    http::request<http::string_body> request{http::verb::post, std::string(url.encoded_path()), 11};
    request.set(http::field::host, std::string(url.host()));
    request.set(http::field::authorization, "Bearer " + app_token);
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return std::string(boost::json::parse(response.body()).as_object().at("url").as_string());
}

/// The value of "envelope_id" in a frame, found by search (the floor does not parse JSON); empty when absent.
std::string_view envelope_id_of(std::string_view frame) {
    constexpr std::string_view key = "\"envelope_id\":\"";
    auto at = frame.find(key);
    if (at == std::string_view::npos) {
        return {};
    }
    at += key.size();
    auto end = frame.find('"', at);
    return end == std::string_view::npos ? std::string_view{} : frame.substr(at, end - at);
}

}  // namespace

struct floor_client::impl {
    asio::io_context ioc;
    std::atomic<int> tid{0};
    websocket::stream<tcp::socket> ws{ioc};
    std::thread thread;

    void serve(const std::string& payload_json) {
        beast::flat_buffer buffer;
        std::string ack;
        boost::system::error_code ec;
        for (;;) {
            ws.read(buffer, ec);
            if (ec) {
                return;  // closed by the simulator or by the destructor
            }
            auto frame = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            auto id = envelope_id_of(frame);
            if (id.empty()) {
                continue;  // hello, disconnect
            }
            ack.assign("{\"envelope_id\":\"").append(id).append("\",\"payload\":").append(payload_json).append("}");
            ws.text(true);
            ws.write(asio::buffer(ack), ec);
            if (ec) {
                return;
            }
        }
    }
};

floor_client::floor_client(const std::string& api_url, const std::string& app_token, std::string payload_json,
                           int cpu)
    : impl_(std::make_unique<impl>()) {
    const std::string link_url = open_link(impl_->ioc, api_url, app_token);
    auto link = boost::urls::parse_uri(link_url).value();
    tcp::resolver resolver(impl_->ioc);
    asio::connect(impl_->ws.next_layer(), resolver.resolve(std::string(link.host()), std::string(link.port())));
    // At once: every ack its own segment, as soon as it is written.
    impl_->ws.next_layer().set_option(tcp::no_delay(true));
    impl_->ws.handshake(std::string(link.host()) + ":" + std::string(link.port()),
                        std::string(link.encoded_path()) + "?" + std::string(link.encoded_query()));
    impl_->thread = std::thread([this, cpu, payload = std::move(payload_json)] {
        if (cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            sched_setaffinity(0, sizeof(set), &set);  // where the bot ran: the same CPU budget
        }
        impl_->tid = static_cast<int>(::gettid());
        impl_->tid.notify_all();
        impl_->serve(payload);
    });
}

int floor_client::thread_id() const {
    impl_->tid.wait(0);  // set as the thread starts
    return impl_->tid;
}

floor_client::~floor_client() {
    boost::system::error_code ignored;
    impl_->ws.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    impl_->thread.join();
}

}  // namespace opsbot::bench
