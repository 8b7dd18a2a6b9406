#include "adapters/http_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace opsbot::adapters {

bool http_request::is_idempotent() const {
    if (idempotent) {
        return *idempotent;
    }
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

std::optional<std::string> http_response::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (std::ranges::equal(h.name, name, [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return h.value;
        }
    }
    return std::nullopt;
}

http_request json_request(std::string method, std::string url, const boost::json::value& body) {
    http_request request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.headers.push_back({"Accept", "application/json"});
    if (!body.is_null()) {
        request.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
        request.body = boost::json::serialize(body);
    }
    return request;
}

result<boost::json::value> parse_json(std::string_view body, std::string_view what) {
    if (body.empty()) {
        return fail(error_kind::bad_response, fmt::format("{}: empty response body, expected JSON", what));
    }
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec) {
        // The body itself is not quoted: it may echo a credential.
        return fail(error_kind::bad_response,
                    fmt::format("{}: malformed JSON ({}, {} bytes)", what, ec.message(), body.size()));
    }
    return value;
}

}  // namespace opsbot::adapters
