#pragma once

#include <string>
#include <string_view>

namespace opsbot {

/// Lower-case hex SHA-256 of the bytes (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

/// The short fingerprint by which a secret value is named in logs, Slack and the audit log:
/// the first 12 hex characters of its SHA-256 (never the value itself).
std::string fingerprint(std::string_view secret_value);

}  // namespace opsbot
