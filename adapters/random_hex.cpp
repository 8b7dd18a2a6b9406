// Locally generated secrets (docs/platforms.md §6: BETTER_AUTH_SECRET and friends): OpenSSL's CSPRNG as hex.
#include "adapters/secret_provider.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <climits>
#include <stdexcept>
#include <vector>

namespace opsbot::adapters {

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    if (bytes > static_cast<std::size_t>(INT_MAX)) {
        throw std::invalid_argument("random_hex: too many bytes");
    }
    if (bytes > 0 && RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed: the CSPRNG is not usable");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (const unsigned char b : buffer) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    // Wipe the raw bytes: they are the secret.
    OPENSSL_cleanse(buffer.data(), buffer.size());
    return out;
}

}  // namespace opsbot::adapters
