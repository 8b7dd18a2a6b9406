// adapters/vercel: numbers in Vercel's answers that do not fit the fields they fill, over an in-test client that
// answers one canned body (the wire-format fake is tests/support/fake_vercel; this needs no server).
#include "adapters/vercel.hpp"

#include <catch2/catch.hpp>

using namespace opsbot;
using namespace opsbot::adapters;

namespace {

class one_answer final : public http_client {
public:
    explicit one_answer(std::string body) : body_(std::move(body)) {}
    result<http_response> send(const http_request&) override { return http_response{200, {}, body_}; }

private:
    std::string body_;
};

}  // namespace

TEST_CASE("vercel: a created time beyond int64 reads as no time, not an overflow (found by fuzz)", "[vercel]") {
    // fuzz/crashes/platform_adapters/: "created": 1790000001790000000001 is a double of 1.79e21, and converting it
    // to std::int64_t was undefined behaviour.
    one_answer http(R"({"deployments":[{"uid":"dpl_A","state":"READY","target":"production","created":1.79e21},)"
                    R"({"uid":"dpl_B","state":"READY","target":"production","created":1790000000000.0}],)"
                    R"("pagination":{"next":null}})");
    service_config service;
    service.name = "web";
    service.api_url = "https://api.vercel.test";
    service.project_id = "prj";
    auto vercel = make_vercel_platform(service, "token", http);
    auto list = vercel->list_production_deployments(5);
    REQUIRE(list);
    REQUIRE(list->size() == 2);
    for (const auto& d : *list) {
        CHECK(d.created_ms == (d.id == "dpl_A" ? 0 : 1'790'000'000'000));
    }
}
