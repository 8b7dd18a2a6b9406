// The operators' endpoint over Boost.Beast: one io_context on its own thread, one coroutine per connection, a
// deadline on every read and write (docs/style.md "Async shape"). Small requests only: it serves three GETs.
#include "bot/ops_http/ops_http.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace opsbot::bot {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using asio::use_awaitable;

namespace {

constexpr auto io_deadline = std::chrono::seconds(10);  ///< a scraper that stalls mid-request is cut
constexpr int max_connections = 32;                     ///< loopback operators' traffic: a few scrapers at most
constexpr std::uint64_t max_request_bytes = 16 * 1024;

}  // namespace

class ops_http_server::impl {
public:
    impl(const std::string& host, std::uint16_t port, ops_http_handlers handlers) : handlers_(std::move(handlers)) {
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(host, ec);
        tcp::endpoint endpoint{address, port};
        if (!ec) {
            acceptor_.open(endpoint.protocol(), ec);
        }
        if (!ec) {
            acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor_.bind(endpoint, ec);
        }
        if (!ec) {
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
        }
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~impl() {
        // Closing the acceptor ends the accept loop; stopping the context drops connections mid-answer, which a
        // scraper retries. The coroutines' frames (and their sockets) go with the io_context.
        asio::post(ioc_, [this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
            ioc_.stop();
        });
        thread_.join();
    }

    std::uint16_t port() const { return port_; }

private:
    asio::awaitable<void> accept_loop() {
        while (acceptor_.is_open()) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(use_awaitable));
            if (ec) {
                if (ec == asio::error::operation_aborted) {
                    co_return;
                }
                spdlog::warn("ops http: accept failed: {}", ec.message());
                continue;
            }
            if (connections_ >= max_connections) {
                continue;  // the socket closes as it goes out of scope
            }
            ++connections_;
            asio::co_spawn(ioc_, serve(std::move(socket)), [this](std::exception_ptr e) {
                --connections_;
                if (e) {
                    try {
                        std::rethrow_exception(e);
                    } catch (const std::exception& ex) {
                        spdlog::error("ops http: a request failed: {}", ex.what());  // the scraper sees a dropped link
                    }
                }
            });
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        while (true) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(max_request_bytes);
            parser.header_limit(static_cast<std::uint32_t>(max_request_bytes));
            stream.expires_after(io_deadline);
            auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(use_awaitable));
            if (read_ec) {
                co_return;  // closed by the client, timed out, or not HTTP: nothing to answer
            }
            const auto& request = parser.get();
            const auto answer = answer_ops_request(request.method_string(), request.target(), handlers_);
            http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
            response.set(http::field::server, "opsbot");
            response.set(http::field::content_type, answer.content_type);
            if (answer.allow_get) {
                response.set(http::field::allow, "GET");
            }
            response.keep_alive(request.keep_alive());
            response.body() = answer.body;
            response.prepare_payload();
            stream.expires_after(io_deadline);
            auto [write_ec, written] = co_await http::async_write(stream, response, asio::as_tuple(use_awaitable));
            if (write_ec || !response.keep_alive()) {
                break;
            }
        }
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    ops_http_handlers handlers_;
    asio::io_context ioc_{1};
    tcp::acceptor acceptor_{ioc_};
    std::uint16_t port_ = 0;
    int connections_ = 0;  ///< on the io thread only
    std::thread thread_;
};

ops_http_server::ops_http_server(const std::string& host, std::uint16_t port, ops_http_handlers handlers)
    : impl_(std::make_unique<impl>(host, port, std::move(handlers))) {}

ops_http_server::~ops_http_server() = default;

std::uint16_t ops_http_server::port() const { return impl_->port(); }

}  // namespace opsbot::bot
