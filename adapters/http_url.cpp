#include "adapters/http_url.hpp"

#include "adapters/http_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace opsbot::adapters {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::string bracketed(const parsed_url& u) {
    return u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
}

}  // namespace

std::string parsed_url::host_header() const {
    const uint16_t default_port = tls ? 443 : 80;
    return port == default_port ? bracketed(*this) : fmt::format("{}:{}", bracketed(*this), port);
}

std::string percent_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string parsed_url::display() const {
    const auto query = target.find('?');
    std::string_view path = std::string_view(target).substr(0, query);
    // A Slack response_url (/commands/T…/…/<secret>, /actions/…) is a capability: anyone holding it may post
    // as the bot for 30 minutes. Show only its kind in logs and errors (docs/slack.md §3).
    for (std::string_view capability : {"/commands/", "/actions/", "/response/"}) {
        if (path.starts_with(capability)) {
            path = capability.substr(0, capability.size() - 1);
            return fmt::format("{}://{}{}/[redacted]", tls ? "https" : "http", host_header(), path);
        }
    }
    return fmt::format("{}://{}{}", tls ? "https" : "http", host_header(), path);
}

std::string parsed_url::pool_key() const {
    return fmt::format("{}://{}:{}", tls ? "https" : "http", bracketed(*this), port);
}

result<parsed_url> parse_request_url(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) {
        return fail(error_kind::invalid_input, fmt::format("not an absolute URL: {}", parsed.error().message()));
    }
    const boost::urls::url_view& u = *parsed;
    parsed_url out;
    if (iequals(u.scheme(), "https")) {
        out.tls = true;
    } else if (iequals(u.scheme(), "http")) {
        out.tls = false;
    } else {
        return fail(error_kind::invalid_input, fmt::format("unsupported URL scheme '{}'", std::string(u.scheme())));
    }
    // A percent-encoded host name ("a%99o") decodes to bytes no DNS name holds, and the URL rebuilt from it is none
    // (found by fuzz/url): refused, as a host name never needs it.
    if (u.host_type() == boost::urls::host_type::name && u.encoded_host().find('%') != std::string_view::npos) {
        return fail(error_kind::invalid_input, "URL host is percent-encoded: write the host name as it is");
    }
    if (u.host_type() == boost::urls::host_type::ipv6) {
        out.host = u.host_ipv6_address().to_string();
    } else {
        out.host = u.host_address();
    }
    if (out.host.empty()) {
        return fail(error_kind::invalid_input, "URL has no host");
    }
    out.port = u.has_port() ? u.port_number() : (out.tls ? 443 : 80);
    if (u.has_port() && out.port == 0) {
        return fail(error_kind::invalid_input, "URL has an invalid port");
    }
    out.target = std::string(u.encoded_target());
    if (out.target.empty() || out.target.front() != '/') {
        out.target.insert(0, "/");
    }
    // Plain HTTP would expose tokens on the wire: allowed only where the traffic never leaves the machine.
    if (!out.tls && !is_loopback_host(out.host)) {
        return fail(error_kind::invalid_input,
                    fmt::format("refusing plain http:// to non-loopback host '{}': use https://", out.host));
    }
    return out;
}

bool is_loopback_host(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);
    }
    if (iequals(host, "localhost")) {
        return true;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

std::string join_url(std::string_view base, std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    if (path.empty()) {
        return std::string(base);
    }
    while (!base.empty() && base.back() == '/') {
        base.remove_suffix(1);
    }
    std::string out(base);
    out += '/';
    out += path;
    return out;
}

}  // namespace opsbot::adapters

namespace opsbot::adapters {

std::string url_authority(std::string_view url) {
    auto parsed = parse_request_url(url);
    return parsed ? parsed->host + ":" + std::to_string(parsed->port) : std::string();
}

}  // namespace opsbot::adapters
