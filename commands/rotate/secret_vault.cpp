#include "commands/rotate/secret_vault.hpp"

#include "core/redactor.hpp"
#include "core/sha256.hpp"

#include <openssl/crypto.h>

namespace opsbot::commands {

void cleanse(std::string& value) {
    if (!value.empty()) {
        OPENSSL_cleanse(value.data(), value.size());
    }
    value.clear();
}

secret_vault::~secret_vault() {
    forget(new_value_);
    forget(old_value_);
}

void secret_vault::forget(std::string& value) {
    if (value.empty()) {
        return;
    }
    global_redactor().remove_secret(value);
    cleanse(value);
}

void secret_vault::set_new_value(std::string value, const std::string& secret) {
    forget(new_value_);
    new_value_ = std::move(value);
    global_redactor().add_secret(new_value_, secret);
}

void secret_vault::set_old_value(std::string value, const std::string& secret) {
    forget(old_value_);
    old_value_ = std::move(value);
    global_redactor().add_secret(old_value_, secret);
}

std::string secret_vault::new_fingerprint() const { return new_value_.empty() ? std::string{} : fingerprint(new_value_); }

}  // namespace opsbot::commands
