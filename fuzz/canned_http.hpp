#pragma once
// The adapters' only outside input is what the platforms answer: the harnesses hand each adapter this http_client,
// which answers from the fuzz input instead of a network (fuzz/README.md "Input formats").
//
// Input: one selector byte (which call the harness makes), then answers separated by a 0x00 byte. An answer is a
// status byte (status_for) and the body, optionally followed by 0x01 and a `Link` header value (paginated APIs).
// The client gives the answers in order, repeats the last one, and after max_requests refuses with a network error,
// so an adapter that follows its own pagination forever shows up as a slow input instead of a hang.

#include "adapters/http_client.hpp"

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsbot::fuzz {

/// An adapter harness's input split as above: the selector byte and the answers (nullopt when empty). The adapters'
/// logs are silenced on the first call: they log every refusal, which would drown libFuzzer's own output.
struct adapter_input {
    unsigned char selector;
    std::string_view answers;
};

inline std::optional<adapter_input> read_adapter_input(const std::uint8_t* data, std::size_t size) {
    [[maybe_unused]] static const bool quiet = [] {
        spdlog::set_level(spdlog::level::off);
        return true;
    }();
    if (size < 1) {
        return std::nullopt;
    }
    return adapter_input{data[0], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

inline int status_for(unsigned char byte) {
    static constexpr int statuses[] = {200, 200, 200, 200, 201, 202, 204, 301, 400, 401,
                                       403, 404, 409, 422, 429, 500, 502, 503};
    return statuses[byte % std::size(statuses)];
}

class canned_http final : public adapters::http_client {
public:
    static constexpr std::size_t max_requests = 64;

    explicit canned_http(std::string_view answers) {
        std::size_t start = 0;
        while (start <= answers.size()) {
            std::size_t end = answers.find('\0', start);
            if (end == std::string_view::npos) {
                end = answers.size();
            }
            responses_.push_back(to_response(answers.substr(start, end - start)));
            start = end + 1;
        }
    }

    result<adapters::http_response> send(const adapters::http_request& request) override {
        requests_.push_back(request);
        if (requests_.size() > max_requests) {
            return fail(error_kind::network, "fuzz: no more answers");
        }
        return responses_[std::min(next_++, responses_.size() - 1)];
    }

    const std::vector<adapters::http_request>& requests() const { return requests_; }

private:
    static adapters::http_response to_response(std::string_view answer) {
        adapters::http_response response;
        if (answer.empty()) {
            response.status = 200;
            return response;
        }
        response.status = status_for(static_cast<unsigned char>(answer[0]));
        answer.remove_prefix(1);
        if (auto link = answer.find('\x01'); link != std::string_view::npos) {
            response.headers.push_back({"Link", std::string(answer.substr(link + 1))});
            response.headers.push_back({"Retry-After", "1"});
            answer = answer.substr(0, link);
        }
        response.body = std::string(answer);
        return response;
    }

    std::vector<adapters::http_response> responses_;
    std::vector<adapters::http_request> requests_;
    std::size_t next_ = 0;
};

}  // namespace opsbot::fuzz
