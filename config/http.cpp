// `http.listen`: where the operators' endpoint listens (docs/design.md "The stack description", issue 15 item 1).
// An IP address, not a name: the bot never resolves a name to decide which interface it exposes.

#include "config/walk.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <charconv>

namespace opsbot {

result<http_config> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return fail(error_kind::invalid_input,
                    fmt::format("\"{}\" is not HOST:PORT (e.g. \"127.0.0.1:9464\", or \":9464\" for loopback)", text));
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        return fail(error_kind::invalid_input,
                    fmt::format("\"{}\": the port must be a number from 0 to 65535 (0: any free port)", text));
    }
    http_config out;
    out.port = static_cast<unsigned short>(port);
    if (host.empty() || host == "localhost") {
        return out;  // loopback unless the config says otherwise
    }
    unsigned char address[16];
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        const std::string v6(host.substr(1, host.size() - 2));
        if (::inet_pton(AF_INET6, v6.c_str(), address) == 1) {
            out.host = v6;
            return out;
        }
    } else if (const std::string v4(host); ::inet_pton(AF_INET, v4.c_str(), address) == 1) {
        out.host = v4;
        return out;
    }
    return fail(error_kind::invalid_input,
                fmt::format("\"{}\": the host must be an IP address (127.0.0.1, [::1], 0.0.0.0) or localhost, "
                            "not a name",
                            text));
}

namespace config_detail {

void read_http(const json::value& v, const std::string& path, walker& w, stack_config& config) {
    http_config parsed;
    bool good = true;
    const field fields[] = {
        {"listen",
         [&](auto& x, auto& p) {
             std::string text;
             if (!w.read_string(x, p, text)) {
                 good = false;
                 return;
             }
             auto address = parse_listen_address(text);
             if (!address) {
                 w.problem(p, address.error().message);
                 good = false;
                 return;
             }
             parsed = *address;
         },
         true, "the address of the operators' endpoint, e.g. \"127.0.0.1:9464\""},
    };
    if (w.walk_object(v, path, fields) && good) {
        config.http = parsed;
    }
}

}  // namespace config_detail
}  // namespace opsbot
