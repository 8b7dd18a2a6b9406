// RFC 8288 Link header parsing, shared by the GitHub and Sentry pagination (docs/platforms.md §5.1, §5.3).
#include "adapters/link_header.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace opsbot::adapters {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

void skip_ows(std::string_view s, size_t& i) {
    while (i < s.size() && is_ows(s[i])) {
        ++i;
    }
}

// Skips to just past the next top-level comma (outside <…> and quoted strings), for error recovery.
void skip_to_next_link(std::string_view s, size_t& i) {
    bool quoted = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            ++i;
            return;
        }
    }
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Reads one link-value starting at i (after OWS). Returns nullopt (and leaves i anywhere) when malformed.
std::optional<web_link> parse_one(std::string_view s, size_t& i) {
    if (i >= s.size() || s[i] != '<') {
        return std::nullopt;
    }
    const auto close = s.find('>', i + 1);
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    web_link link;
    link.target = std::string(s.substr(i + 1, close - i - 1));
    i = close + 1;
    for (;;) {
        skip_ows(s, i);
        if (i >= s.size()) {
            return link;
        }
        if (s[i] == ',') {
            ++i;
            return link;
        }
        if (s[i] != ';') {
            return std::nullopt;
        }
        ++i;
        skip_ows(s, i);
        const size_t name_start = i;
        while (i < s.size() && is_token_char(s[i])) {
            ++i;
        }
        if (i == name_start) {
            return std::nullopt;
        }
        std::string name = lower(s.substr(name_start, i - name_start));
        skip_ows(s, i);
        std::string value;
        if (i < s.size() && s[i] == '=') {
            ++i;
            skip_ows(s, i);
            if (i < s.size() && s[i] == '"') {
                ++i;
                bool closed = false;
                for (; i < s.size(); ++i) {
                    if (s[i] == '\\' && i + 1 < s.size()) {
                        value += s[++i];
                    } else if (s[i] == '"') {
                        closed = true;
                        ++i;
                        break;
                    } else {
                        value += s[i];
                    }
                }
                if (!closed) {
                    return std::nullopt;
                }
            } else {
                const size_t value_start = i;
                while (i < s.size() && is_token_char(s[i])) {
                    ++i;
                }
                value = std::string(s.substr(value_start, i - value_start));
            }
        }
        // RFC 8288 §3: occurrences after the first of a parameter (notably rel) are ignored.
        link.params.emplace(std::move(name), std::move(value));
    }
}

uint16_t effective_port(const boost::urls::url_view& u) {
    if (u.has_port()) {
        return u.port_number();
    }
    return lower(u.scheme()) == "http" ? 80 : 443;
}

}  // namespace

std::optional<std::string> web_link::param(std::string_view name) const {
    const auto it = params.find(lower(name));
    if (it == params.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool web_link::has_rel(std::string_view relation) const {
    const auto rel = param("rel");
    if (!rel) {
        return false;
    }
    const std::string wanted = lower(relation);
    const std::string all = lower(*rel);
    size_t i = 0;
    while (i < all.size()) {
        while (i < all.size() && is_ows(all[i])) {
            ++i;
        }
        const size_t start = i;
        while (i < all.size() && !is_ows(all[i])) {
            ++i;
        }
        if (i > start && all.compare(start, i - start, wanted) == 0 && i - start == wanted.size()) {
            return true;
        }
    }
    return false;
}

std::vector<web_link> parse_link_header(std::string_view value) {
    std::vector<web_link> links;
    size_t i = 0;
    while (i < value.size()) {
        skip_ows(value, i);
        if (i < value.size() && value[i] == ',') {  // empty list elements are allowed (RFC 9110 §5.6.1)
            ++i;
            continue;
        }
        if (i >= value.size()) {
            break;
        }
        const size_t start = i;
        if (auto link = parse_one(value, i)) {
            links.push_back(std::move(*link));
        } else {
            i = start;
            skip_to_next_link(value, i);
        }
    }
    return links;
}

std::optional<web_link> find_link(std::string_view header_value, std::string_view relation) {
    for (auto& link : parse_link_header(header_value)) {
        if (link.has_rel(relation)) {
            return link;
        }
    }
    return std::nullopt;
}

std::optional<std::string> resolve_link_target(std::string_view request_url, std::string_view target) {
    const auto absolute = boost::urls::parse_absolute_uri(target);
    if (absolute) {
        return std::string(target);
    }
    if (target.empty() || target[0] != '/' || (target.size() > 1 && target[1] == '/')) {
        return std::nullopt;
    }
    // Only a well-formed "/path?query" (RFC 9112 §3.2.1 origin-form): a target with a space or a control byte
    // would make a URL that is none, and the adapter would then call it "another origin" (found by fuzz/url).
    if (!boost::urls::parse_origin_form(target)) {
        return std::nullopt;
    }
    const auto base = boost::urls::parse_absolute_uri(request_url);
    if (!base || !base->has_authority()) {
        return std::nullopt;
    }
    return std::string(base->scheme()) + "://" + std::string(base->encoded_authority()) + std::string(target);
}

bool same_origin(std::string_view a, std::string_view b) {
    const auto ua = boost::urls::parse_absolute_uri(a);
    const auto ub = boost::urls::parse_absolute_uri(b);
    if (!ua || !ub || !ua->has_authority() || !ub->has_authority()) {
        return false;
    }
    return lower(ua->scheme()) == lower(ub->scheme()) && lower(ua->encoded_host()) == lower(ub->encoded_host()) &&
           effective_port(*ua) == effective_port(*ub);
}

}  // namespace opsbot::adapters
