#include "adapters/http_client.hpp"
#include "sim/http_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

using namespace opsbot::adapters;
using namespace std::chrono_literals;
using opsbot::error_kind;
namespace sim = opsbot::sim;

namespace {

http_request get(std::string url) {
    http_request request;
    request.url = std::move(url);
    return request;
}

/// A PEM file in the temp directory, removed again at the end of the test.
class temp_pem {
public:
    explicit temp_pem(const std::string& pem) {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("opsbot-http-test-" + std::to_string(std::random_device{}()) + "-" +
                 std::to_string(counter++) + ".pem");
        std::ofstream(path_) << pem;
    }
    ~temp_pem() {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

sim::response hello(const sim::request&) { return sim::response::text(200, "hello over tls"); }

std::string local_url(const std::string& host, const sim::http_server& server) {
    return "https://" + host + ":" + std::to_string(server.port()) + "/x";
}

http_options no_retries(std::string ca_file = {}) {
    http_options options;
    options.max_attempts = 1;
    options.ca_file = std::move(ca_file);
    options.sleep = [](std::chrono::milliseconds) {};
    return options;
}

}  // namespace

TEST_CASE("TLS to a server whose certificate the client trusts", "[http][tls]") {
    const auto identity = sim::make_self_signed_identity("localhost");
    CHECK_THAT(identity.certificate_pem, Catch::StartsWith("-----BEGIN CERTIFICATE-----"));
    sim::http_server server(hello, identity);
    temp_pem ca(identity.certificate_pem);
    auto client = make_http_client(no_retries(ca.path()));

    auto res = client->send(get(server.base_url() + "/x"));
    REQUIRE(res);
    CHECK(res->body == "hello over tls");
    CHECK(server.requests().front().header("Host").value_or("") == "localhost:" + std::to_string(server.port()));

    SECTION("the certificate's IP SAN covers 127.0.0.1, and the connection is kept alive") {
        REQUIRE(client->send(get(local_url("127.0.0.1", server))));
        REQUIRE(client->send(get(local_url("127.0.0.1", server))));
        CHECK(server.connection_count() == 2);  // one for localhost, one for 127.0.0.1
    }
}

TEST_CASE("TLS fails when the certificate is not trusted", "[http][tls]") {
    const auto identity = sim::make_self_signed_identity("localhost");
    sim::http_server server(hello, identity);
    int sleeps = 0;
    http_options options;
    options.sleep = [&](std::chrono::milliseconds) { ++sleeps; };
    auto client = make_http_client(options);

    auto res = client->send(get(server.base_url() + "/x"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::network);
    CHECK_THAT(res.error().message, Catch::Contains("certificate verify failed"));
    CHECK(sleeps == 0);  // a refused certificate is not retried
    CHECK(server.request_count() == 0);
}

TEST_CASE("TLS fails when the host name does not match the certificate", "[http][tls]") {
    const auto identity = sim::make_self_signed_identity("other.example", false);
    sim::http_server server(hello, identity);
    temp_pem ca(identity.certificate_pem);
    auto client = make_http_client(no_retries(ca.path()));

    auto by_ip = client->send(get(local_url("127.0.0.1", server)));
    REQUIRE_FALSE(by_ip);
    CHECK(by_ip.error().kind == error_kind::network);
    CHECK_THAT(by_ip.error().message, Catch::Contains("certificate verify failed"));
    CHECK_THAT(by_ip.error().message, Catch::Contains("mismatch"));

    auto by_name = client->send(get(local_url("localhost", server)));
    REQUIRE_FALSE(by_name);
    CHECK_THAT(by_name.error().message, Catch::Contains("hostname mismatch"));
    CHECK(server.request_count() == 0);
}

TEST_CASE("verify_tls=false accepts an untrusted certificate when asked", "[http][tls]") {
    const auto identity = sim::make_self_signed_identity("other.example", false);
    sim::http_server server(hello, identity);
    auto options = no_retries();
    options.verify_tls = false;
    auto client = make_http_client(options);
    auto res = client->send(get(local_url("127.0.0.1", server)));
    REQUIRE(res);
    CHECK(res->body == "hello over tls");
}

TEST_CASE("an unreadable ca_file is reported as invalid input", "[http][tls]") {
    auto client = make_http_client(no_retries("/nonexistent/opsbot-ca.pem"));
    auto res = client->send(get("https://127.0.0.1:9/x"));
    REQUIRE_FALSE(res);
    CHECK(res.error().kind == error_kind::invalid_input);
    CHECK_THAT(res.error().message, Catch::Contains("/nonexistent/opsbot-ca.pem"));
}
