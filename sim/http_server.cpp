#include "sim/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

namespace opsbot::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::optional<std::string> request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (std::ranges::equal(key, name, [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return value;
        }
    }
    return std::nullopt;
}

response response::json(int status, const boost::json::value& body) {
    return response{status, {{"Content-Type", "application/json"}}, boost::json::serialize(body), false};
}

response response::text(int status, std::string body) {
    return response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(body), false};
}

namespace {

constexpr auto stop_grace = std::chrono::seconds(5);

/// What the server and its connection threads share; connection threads hold it, so a thread that had
/// to be detached on stop() (its handler never returned) still finds it alive.
struct server_state {
    handler on_request;
    std::optional<ssl::context> tls;
    std::mutex mutex;
    std::vector<request> requests;
    std::atomic<size_t> connections{0};
    std::condition_variable finished;  // signalled (under mutex) when a connection thread ends
};

/// A connection's thread and the descriptor stop() shuts down to wake a blocked read.
struct connection_slot {
    std::mutex mutex;
    int fd = -1;
    bool done = false;  // guarded by server_state::mutex
    std::thread thread;
};

/// The socket with its own io_context, so it does not depend on the server object's lifetime.
struct accepted_socket {
    asio::io_context ioc;
    tcp::socket socket{ioc};
};

request to_request(const http::request<http::string_body>& in) {
    request out;
    out.method = std::string(in.method_string());
    out.target = std::string(in.target());
    auto parsed = boost::urls::parse_origin_form(out.target);
    if (parsed) {
        out.path = parsed->path();
        for (const auto& param : parsed->params()) {
            out.query[param.key] = param.has_value ? param.value : std::string();
        }
    } else {
        out.path = out.target;
    }
    for (const auto& field : in) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = in.body();
    return out;
}

template <class Stream>
void serve_requests(Stream& stream, server_state& state) {
    beast::flat_buffer buffer;
    while (true) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64u * 1024 * 1024);
        error_code ec;
        http::read(stream, buffer, parser, ec);
        if (ec) {
            return;  // peer closed, or stop() shut the socket down
        }
        const auto& in = parser.get();
        request seen = to_request(in);
        {
            std::lock_guard lock(state.mutex);
            state.requests.push_back(seen);
        }
        response answer;
        try {
            answer = state.on_request(seen);
        } catch (const std::exception& e) {
            spdlog::error("sim http server: handler threw: {}", e.what());
            answer = response::text(500, "handler threw");
        }
        if (answer.drop_connection) {
            return;
        }
        http::response<http::string_body> out;
        out.version(in.version());
        out.result(static_cast<unsigned>(answer.status));
        for (const auto& [name, value] : answer.headers) {
            out.insert(name, value);
        }
        out.body() = std::move(answer.body);
        // HTTP/1.1 keeps the connection unless the client said "Connection: close" (RFC 9112 §9.3).
        out.keep_alive(in.keep_alive());
        out.prepare_payload();
        http::write(stream, out, ec);
        if (ec || !out.keep_alive()) {
            return;
        }
    }
}

void serve_connection(std::shared_ptr<server_state> state, std::shared_ptr<connection_slot> slot,
                      std::unique_ptr<accepted_socket> conn) {
    try {
        if (state->tls) {
            ssl::stream<tcp::socket&> stream(conn->socket, *state->tls);
            error_code ec;
            stream.handshake(ssl::stream_base::server, ec);
            if (!ec) {
                serve_requests(stream, *state);
            }
        } else {
            serve_requests(conn->socket, *state);
        }
    } catch (const std::exception& e) {
        spdlog::error("sim http server: connection failed: {}", e.what());
    }
    {
        std::lock_guard lock(slot->mutex);
        slot->fd = -1;
        error_code ec;
        conn->socket.close(ec);
    }
    std::lock_guard lock(state->mutex);
    slot->done = true;
    state->finished.notify_all();
}

}  // namespace

class http_server::impl {
public:
    impl(handler h, std::optional<tls_identity> tls);
    void accept_loop();
    void stop();

    std::shared_ptr<server_state> state_ = std::make_shared<server_state>();
    asio::io_context ioc_;
    tcp::acceptor acceptor_{ioc_};
    uint16_t port_ = 0;
    bool tls_ = false;
    std::atomic<bool> stopping_{false};
    std::mutex stop_mutex_;
    std::thread accept_thread_;
    std::list<std::shared_ptr<connection_slot>> slots_;  // touched by the accept thread, then by stop()
};

http_server::impl::impl(handler h, std::optional<tls_identity> tls) {
    state_->on_request = std::move(h);
    if (tls) {
        tls_ = true;
        auto& ctx = state_->tls.emplace(ssl::context::tls_server);
        ctx.use_certificate_chain(asio::buffer(tls->certificate_pem));
        ctx.use_private_key(asio::buffer(tls->private_key_pem), ssl::context::pem);
    }
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
}

void http_server::impl::accept_loop() {
    while (!stopping_) {
        auto conn = std::make_unique<accepted_socket>();
        error_code ec;
        acceptor_.accept(conn->socket, ec);
        if (stopping_) {
            return;
        }
        if (ec) {
            spdlog::error("sim http server: accept failed: {}", ec.message());
            return;
        }
        state_->connections++;
        auto slot = std::make_shared<connection_slot>();
        slot->fd = conn->socket.native_handle();
        // Reap connections that already ended so a long test does not accumulate threads.
        std::erase_if(slots_, [this](const auto& s) {
            std::lock_guard lock(state_->mutex);
            if (s->done && s->thread.joinable()) {
                s->thread.join();
            }
            return s->done;
        });
        slot->thread = std::thread(serve_connection, state_, slot, std::move(conn));
        slots_.push_back(std::move(slot));
    }
}

void http_server::impl::stop() {
    std::lock_guard stop_lock(stop_mutex_);
    if (stopping_.exchange(true)) {
        return;
    }
    // shutdown() wakes the blocked accept() (Linux returns EINVAL); the connect is a fallback nudge.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    {
        asio::io_context nudge_ioc;
        tcp::socket nudge(nudge_ioc);
        error_code ec;
        nudge.connect(tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port_), ec);
    }
    accept_thread_.join();
    error_code ec;
    acceptor_.close(ec);

    for (const auto& slot : slots_) {
        std::lock_guard lock(slot->mutex);
        if (slot->fd >= 0) {
            ::shutdown(slot->fd, SHUT_RDWR);
        }
    }
    std::unique_lock lock(state_->mutex);
    state_->finished.wait_for(lock, stop_grace, [this] {
        return std::ranges::all_of(slots_, [](const auto& s) { return s->done; });
    });
    for (const auto& slot : slots_) {
        if (slot->done) {
            slot->thread.join();
        } else {
            // Its handler is still blocked (a test did not release it): never hang, leave it to finish alone.
            spdlog::error("sim http server: a handler is still running after stop(); detaching its thread");
            slot->thread.detach();
        }
    }
    slots_.clear();
}

http_server::http_server(handler h, std::optional<tls_identity> tls)
    : impl_(std::make_unique<impl>(std::move(h), std::move(tls))) {}

http_server::~http_server() { stop(); }

uint16_t http_server::port() const { return impl_->port_; }

std::string http_server::base_url() const {
    return impl_->tls_ ? fmt::format("https://localhost:{}", impl_->port_)
                       : fmt::format("http://127.0.0.1:{}", impl_->port_);
}

std::vector<request> http_server::requests() const {
    std::lock_guard lock(impl_->state_->mutex);
    return impl_->state_->requests;
}

size_t http_server::request_count() const {
    std::lock_guard lock(impl_->state_->mutex);
    return impl_->state_->requests.size();
}

size_t http_server::connection_count() const { return impl_->state_->connections.load(); }

void http_server::clear_requests() {
    std::lock_guard lock(impl_->state_->mutex);
    impl_->state_->requests.clear();
}

void http_server::stop() { impl_->stop(); }

}  // namespace opsbot::sim
