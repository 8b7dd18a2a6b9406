#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace opsbot::commands {

/// Overwrites a string's bytes (OPENSSL_cleanse) and empties it: for copies of secret values.
void cleanse(std::string& value);

/// The in-memory state of one `/rotate` run (issue #6). Plans never carry a value: the steps of one run share
/// this vault instead. It is created by the executor for each run and destroyed when the run ends; values are
/// registered with the global redactor while they live and overwritten (OPENSSL_cleanse) on destruction.
/// Only fingerprints (first 12 hex of SHA-256) may leave it. Used by one run's steps on one thread.
class secret_vault {
public:
    secret_vault() = default;
    ~secret_vault();
    secret_vault(const secret_vault&) = delete;
    secret_vault& operator=(const secret_vault&) = delete;

    /// The value the rotation puts in place; registered with the redactor as `secret`.
    void set_new_value(std::string value, const std::string& secret);
    /// The value in force before the rotation (read from a platform for re-encryption).
    void set_old_value(std::string value, const std::string& secret);
    const std::string& new_value() const { return new_value_; }
    const std::string& old_value() const { return old_value_; }
    bool has_new_value() const { return !new_value_.empty(); }
    /// "3fa9c1d2e4b5"; empty when no new value is known.
    std::string new_fingerprint() const;

    std::string new_key_id;                  ///< the provider's id of the new key (safe to show)
    std::vector<std::string> old_key_ids;    ///< provider keys to revoke once the new one is verified
    std::set<std::string> holding_new;       ///< services whose platform holds the new value
    std::set<std::string> staged_on;         ///< services holding the new value staged as <SECRET>_NEXT
    std::map<std::string, std::string> before;  ///< service -> fingerprint of the value read before (manual.wait)
    std::size_t revoked = 0;                 ///< old keys revoked in this run
    bool verified = false;                   ///< secret.verify succeeded in this run (revoke requires it)
    bool reencrypted = false;                ///< secret.reencrypt succeeded in this run

private:
    void forget(std::string& value);

    std::string new_value_;
    std::string old_value_;
};

}  // namespace opsbot::commands
