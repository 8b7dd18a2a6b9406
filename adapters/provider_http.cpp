// Shared HTTP plumbing of the secret providers (platforms.md §6).
#include "adapters/provider_http.hpp"

#include "core/json_fields.hpp"
#include "core/redactor.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace opsbot::adapters::provider_http {

namespace json = boost::json;

namespace {

error_kind kind_for_status(int status) {
    switch (status) {
        case 401:
        case 403:
            return error_kind::auth;
        case 404:
            return error_kind::not_found;
        case 409:
            return error_kind::conflict;
        case 429:
            return error_kind::rate_limited;
        default:
            return error_kind::http_status;
    }
}

// Error bodies: Resend {"statusCode","name","message"} (SDK mocks nest it in "error"), OpenAI
// {"error":{"message","type","code"}}, PostHog {"type","code","detail"} (platforms.md §7).
std::string provider_text(std::string_view body) {
    boost::system::error_code ec;
    const auto parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
        return {};
    }
    const json::object* o = &parsed.get_object();
    if (const auto* nested = o->if_contains("error"); nested && nested->is_object()) {
        o = &nested->get_object();
    }
    std::string code = json_string(*o, "name");
    if (code.empty()) {
        code = json_string(*o, "code");
    }
    if (code.empty()) {
        code = json_string(*o, "type");
    }
    std::string message = json_string(*o, "message");
    if (message.empty()) {
        message = json_string(*o, "detail");
    }
    if (code.empty()) {
        return message;
    }
    return message.empty() ? code : code + ": " + message;
}

}  // namespace

std::string setting(const std::map<std::string, std::string>& provider, const std::string& key, std::string fallback) {
    const auto it = provider.find(key);
    return it == provider.end() || it->second.empty() ? std::move(fallback) : it->second;
}

std::string scrub(std::string_view text, std::initializer_list<std::string_view> secrets) {
    return scrub(text, std::span<const std::string_view>(secrets.begin(), secrets.size()));
}

std::string scrub(std::string_view text, std::span<const std::string_view> secrets) {
    std::string out(text);
    for (const auto secret : secrets) {
        if (secret.size() < 4) {
            continue;
        }
        for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos)) {
            out.replace(pos, secret.size(), "[redacted]");
        }
    }
    return redact_token_shapes(out);
}

result<http_response> send(http_client& http, const call& c, bool idempotent) {
    http_request request;
    if (c.body) {
        request = json_request(c.method, c.url, *c.body);
    } else {
        request.method = c.method;
        request.url = c.url;
        request.headers.push_back({"Accept", "application/json"});
    }
    request.headers.push_back({"Authorization", "Bearer " + c.bearer});
    if (idempotent) {
        request.idempotent = true;
    }
    auto response = http.send(request);
    if (!response) {
        auto e = response.error();
        e.message = std::string(c.provider) + ": " + std::string(c.endpoint) + ": " + e.message;
        spdlog::warn("{}", e.message);
        return std::unexpected(std::move(e));
    }
    return response;
}

error status_error(const call& c, const http_response& response, std::initializer_list<std::string_view> secrets) {
    error e;
    e.kind = kind_for_status(response.status);
    e.http_status = response.status;
    e.message =
        std::string(c.provider) + ": " + std::string(c.endpoint) + " answered " + std::to_string(response.status);
    if (const auto text = provider_text(response.body); !text.empty()) {
        // The provider may echo what it was sent (a key): scrub before it reaches a message.
        e.message += ": " + scrub(text, secrets);
    }
    if (auto retry = response.header("Retry-After")) {
        try {
            e.retry_after = std::chrono::seconds(std::stol(*retry));
        } catch (const std::exception&) {
            spdlog::debug("{}: Retry-After is not in seconds", c.provider);
        }
    }
    spdlog::warn("{}", e.message);
    return e;
}

result<json::value> send_json(http_client& http, const call& c, std::initializer_list<std::string_view> secrets) {
    auto response = send(http, c);
    if (!response) {
        return std::unexpected(response.error());
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(status_error(c, *response, secrets));
    }
    if (response->body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return json::value(nullptr);
    }
    auto parsed = parse_json(response->body, std::string(c.provider) + ": " + std::string(c.endpoint));
    if (!parsed) {
        spdlog::warn("{}", parsed.error().message);
    }
    return parsed;
}

result<std::vector<std::string>> list_key_ids(http_client& http, const std::function<call(const std::string&)>& page,
                                              std::string_view secret, const list_messages& messages,
                                              const std::function<bool(const json::object&)>& keep) {
    std::vector<std::string> ids;
    std::string after;
    for (int count = 0; count < 50; ++count) {
        auto body = send_json(http, page(after), {secret});
        if (!body) {
            return std::unexpected(body.error());
        }
        const auto* obj = body->if_object();
        const auto* data = obj ? obj->if_contains("data") : nullptr;
        if (!data || !data->is_array()) {
            return fail(error_kind::bad_response, std::string(messages.no_data));
        }
        std::string last;
        for (const auto& item : data->get_array()) {
            if (!item.is_object()) {
                return fail(error_kind::bad_response, std::string(messages.not_object));
            }
            last = json_string(item.get_object(), "id");
            if (!last.empty() && keep(item.get_object())) {
                ids.push_back(last);
            }
        }
        const auto* more = obj->if_contains("has_more");
        if (!more || !more->is_bool() || !more->get_bool() || last.empty() || last == after) {
            break;
        }
        after = last;
    }
    return ids;
}

result<void> revoke(http_client& http, const call& c, std::string_view secret, std::string_view what,
                    const std::string& id) {
    auto response = send(http, c, true);
    if (!response) {
        return std::unexpected(response.error());
    }
    if (response->status == 404) {
        spdlog::info("{}: {} {} was already gone", c.provider, what, id);
        return {};
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(status_error(c, *response, {secret}));
    }
    spdlog::info("{}: revoked {} {}", c.provider, what, id);
    return {};
}

result<std::vector<std::string>> revoke_all_but(const std::vector<std::string>& ids, const std::string& keep_id,
                                                const std::function<result<void>(const std::string&)>& revoke_one) {
    std::vector<std::string> revoked;
    for (const auto& id : ids) {
        if (id == keep_id) {
            continue;
        }
        if (auto done = revoke_one(id); !done) {
            return std::unexpected(done.error());
        }
        revoked.push_back(id);
    }
    return revoked;
}

}  // namespace opsbot::adapters::provider_http
