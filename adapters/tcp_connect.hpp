#pragma once

// Internal to the .cpp files that open TCP connections (adapters/http_connection.cpp, bot/slack/socket_mode_link.cpp):
// Beast and Asio types, so never include it from a header.

#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace opsbot::adapters {

/// Sets FD_CLOEXEC on a descriptor; false (errno set) when fcntl fails.
bool mark_close_on_exec(int fd);

/// Connects `stream` to the first of `endpoints` that accepts, like asio::async_connect, but opens each socket
/// itself and marks it close-on-exec at once: Asio opens sockets without SOCK_CLOEXEC, and a child started
/// meanwhile must not inherit a connection (docs/design.md "Runtime model"). The stream's deadline (expires_at /
/// expires_after) bounds the whole attempt; a timeout ends it. Completes with void(error_code).
template <class Endpoints, class CompletionToken>
auto async_connect_close_on_exec(boost::beast::tcp_stream& stream, const Endpoints& endpoints,
                                 CompletionToken&& token) {
    using boost::system::error_code;
    return boost::asio::async_compose<CompletionToken, void(error_code)>(
        [&stream, &endpoints, next = endpoints.begin(), last = error_code(boost::asio::error::host_not_found),
         started = false](auto& self, error_code ec = {}) mutable {
            if (started) {
                if (!ec || ec == boost::beast::error::timeout) {
                    self.complete(ec);
                    return;
                }
                last = ec;
                ++next;
            }
            started = true;
            for (; next != endpoints.end(); ++next) {
                const boost::asio::ip::tcp::endpoint endpoint = *next;
                auto& socket = stream.socket();
                error_code ignored;
                socket.close(ignored);  // the previous address's socket, if any
                socket.open(endpoint.protocol(), last);
                if (last) {
                    continue;
                }
                if (!mark_close_on_exec(socket.native_handle())) {
                    last = error_code(errno, boost::system::system_category());
                    continue;
                }
                stream.async_connect(endpoint, std::move(self));
                return;
            }
            self.complete(last);
        },
        token, stream);
}

}  // namespace opsbot::adapters
