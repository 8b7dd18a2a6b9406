// The harnesses never open a connection: every adapter is given a canned http_client (fuzz/canned_http.hpp). This
// stands in for the real client's factory, which health.cpp's own-client checker names, so that the fuzz build
// compiles neither Beast nor TLS. Reaching it is a harness bug.
#include "adapters/http_client.hpp"

#include <cstdio>
#include <cstdlib>

namespace opsbot::adapters {

std::unique_ptr<http_client> make_http_client(http_options /*options*/) {
    std::fputs("fuzz harness: make_http_client called: the harnesses have no network\n", stderr);
    std::abort();
}

}  // namespace opsbot::adapters
