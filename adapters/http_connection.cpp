#include "adapters/http_connection.hpp"

#include "adapters/tcp_connect.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fmt/format.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <optional>

namespace opsbot::adapters {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

class tls_context {
public:
    ssl::context ctx{ssl::context::tls_client};
    bool verify = true;
};

result<std::shared_ptr<tls_context>> make_tls_context(const http_options& options) {
    auto tls = std::make_shared<tls_context>();
    tls->verify = options.verify_tls;
    tls->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!options.verify_tls) {
        spdlog::warn("http client: TLS certificate verification is disabled");
        tls->ctx.set_verify_mode(ssl::verify_none);
        return tls;
    }
    error_code ec;
    tls->ctx.set_default_verify_paths(ec);
    if (ec) {
        spdlog::warn("http client: cannot load the system CA store: {}", ec.message());
    }
    if (!options.ca_file.empty()) {
        tls->ctx.load_verify_file(options.ca_file, ec);
        if (ec) {
            return fail(error_kind::invalid_input,
                        fmt::format("cannot load CA file '{}': {}", options.ca_file, ec.message()));
        }
    }
    tls->ctx.set_verify_mode(ssl::verify_peer);
    return tls;
}

namespace {

bool is_ip_literal(const std::string& host) {
    error_code ec;
    [[maybe_unused]] const auto address = asio::ip::make_address(host, ec);
    return !ec;
}

/// ssl::host_name_verification, plus recording *why* it refused so the error message can say "mismatch".
struct recorded_host_verification {
    std::string host;
    bool operator()(bool preverified, ssl::verify_context& ctx) const {
        if (ssl::host_name_verification(host)(preverified, ctx)) {
            return true;
        }
        if (preverified) {
            X509_STORE_CTX_set_error(ctx.native_handle(), is_ip_literal(host) ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                                              : X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return false;
    }
};

bool timed_out(const error_code& ec, std::chrono::steady_clock::time_point deadline) {
    return ec == beast::error::timeout || std::chrono::steady_clock::now() >= deadline;
}

}  // namespace

class http_connection::impl {
public:
    explicit impl(std::shared_ptr<tls_context> tls) : tls_(std::move(tls)) {}

    std::shared_ptr<tls_context> tls_;  // outlives the ssl stream that refers to it
    asio::io_context ioc;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    bool reusable = false;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void run() {
        ioc.restart();
        ioc.run();
    }

    template <class Stream>
    std::expected<http_response, failure> exchange(Stream& stream, const http_request& request,
                                                   const parsed_url& url, const std::string& user_agent,
                                                   std::chrono::milliseconds timeout, const std::string& what);
};

http_connection::http_connection(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
http_connection::~http_connection() = default;

bool http_connection::reusable() const { return impl_->reusable; }

std::expected<std::unique_ptr<http_connection>, http_connection::failure> http_connection::open(
    const parsed_url& url, const std::shared_ptr<tls_context>& tls, std::chrono::milliseconds timeout,
    const std::string& what) {
    auto fail = [](error_kind kind, std::string message, bool permanent = false) {
        return std::unexpected(failure{error{kind, std::move(message), 0, std::nullopt}, false, permanent});
    };
    auto p = std::make_unique<impl>(tls);
    const auto deadline = std::chrono::steady_clock::now() + timeout;

    // Resolve (a literal address needs no lookup), bounded by a timer that cancels the resolver.
    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    const auto literal = asio::ip::make_address(url.host, ec);
    if (!ec) {
        endpoints.emplace_back(literal, url.port);
    } else {
        tcp::resolver resolver(p->ioc);
        asio::steady_timer timer(p->ioc, deadline);
        error_code resolve_ec;
        resolver.async_resolve(url.host, std::to_string(url.port),
                               [&](const error_code& e, const tcp::resolver::results_type& results) {
                                   resolve_ec = e;
                                   for (const auto& entry : results) {
                                       endpoints.push_back(entry.endpoint());
                                   }
                                   timer.cancel();
                               });
        timer.async_wait([&](const error_code& e) {
            if (!e) {
                resolver.cancel();
            }
        });
        p->run();
        if (resolve_ec) {
            return timed_out(resolve_ec, deadline)
                       ? fail(error_kind::timeout, fmt::format("{}: resolve timed out", what))
                       : fail(error_kind::network, fmt::format("{}: resolve: {}", what, resolve_ec.message()));
        }
    }

    if (url.tls) {
        p->secure.emplace(p->ioc, tls->ctx);
    } else {
        p->plain.emplace(p->ioc);
    }
    p->lowest().expires_at(deadline);
    error_code connect_ec;
    async_connect_close_on_exec(p->lowest(), endpoints, [&](const error_code& e) { connect_ec = e; });
    p->run();
    if (connect_ec) {
        return timed_out(connect_ec, deadline)
                   ? fail(error_kind::timeout, fmt::format("{}: connect timed out", what))
                   : fail(error_kind::network, fmt::format("{}: connect: {}", what, connect_ec.message()));
    }
    p->lowest().socket().set_option(tcp::no_delay(true), ec);

    if (url.tls) {
        SSL* ssl_handle = p->secure->native_handle();
        // SNI carries host names only, never address literals (RFC 6066 §3).
        if (!is_ip_literal(url.host) && SSL_set_tlsext_host_name(ssl_handle, url.host.c_str()) != 1) {
            return fail(error_kind::network, fmt::format("{}: cannot set TLS server name", what));
        }
        if (tls->verify) {
            p->secure->set_verify_callback(recorded_host_verification{url.host});
        }
        error_code handshake_ec;
        p->secure->async_handshake(ssl::stream_base::client, [&](const error_code& e) { handshake_ec = e; });
        p->run();
        if (handshake_ec) {
            if (timed_out(handshake_ec, deadline)) {
                return fail(error_kind::timeout, fmt::format("{}: TLS handshake timed out", what));
            }
            const long verify = SSL_get_verify_result(ssl_handle);
            if (verify != X509_V_OK) {
                return fail(error_kind::network,
                            fmt::format("{}: TLS handshake: certificate verify failed: {}", what,
                                        X509_verify_cert_error_string(verify)),
                            true);
            }
            return fail(error_kind::network, fmt::format("{}: TLS handshake: {}", what, handshake_ec.message()));
        }
    }
    return std::unique_ptr<http_connection>(new http_connection(std::move(p)));
}

std::expected<http_response, http_connection::failure> http_connection::exchange(
    const http_request& request, const parsed_url& url, const std::string& user_agent,
    std::chrono::milliseconds timeout, const std::string& what) {
    if (impl_->secure) {
        return impl_->exchange(*impl_->secure, request, url, user_agent, timeout, what);
    }
    return impl_->exchange(*impl_->plain, request, url, user_agent, timeout, what);
}

template <class Stream>
std::expected<http_response, http_connection::failure> http_connection::impl::exchange(
    Stream& stream, const http_request& request, const parsed_url& url, const std::string& user_agent,
    std::chrono::milliseconds timeout, const std::string& what) {
    reusable = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto failed = [&](const error_code& ec, const char* stage, bool stale) {
        if (timed_out(ec, deadline)) {
            return std::unexpected(failure{
                error{error_kind::timeout, fmt::format("{}: {} timed out", what, stage), 0, std::nullopt}, false});
        }
        return std::unexpected(failure{
            error{error_kind::network, fmt::format("{}: {}: {}", what, stage, ec.message()), 0, std::nullopt},
            stale});
    };

    http::request<http::string_body> req;
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
        req.method_string(request.method);
    } else {
        req.method(verb);
    }
    req.target(url.target);
    req.version(11);
    for (const auto& h : request.headers) {
        req.insert(h.name, h.value);
    }
    req.set(http::field::host, url.host_header());
    if (req.find(http::field::user_agent) == req.end()) {
        req.set(http::field::user_agent, user_agent);
    }
    req.body() = request.body;
    req.keep_alive(true);
    req.prepare_payload();

    lowest().expires_at(deadline);
    error_code write_ec;
    http::async_write(stream, req, [&](const error_code& e, std::size_t) { write_ec = e; });
    run();
    if (write_ec) {
        return failed(write_ec, "write", true);
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(64u * 1024 * 1024);
    parser.header_limit(64u * 1024);
    parser.skip(verb == http::verb::head);
    buffer.clear();
    error_code read_ec;
    http::async_read(stream, buffer, parser, [&](const error_code& e, std::size_t) { read_ec = e; });
    run();
    if (read_ec) {
        return failed(read_ec, "read", !parser.got_some() && buffer.size() == 0);
    }

    auto& res = parser.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(res.body());
    reusable = res.keep_alive() && !parser.need_eof() && buffer.size() == 0;
    return out;
}

}  // namespace opsbot::adapters
