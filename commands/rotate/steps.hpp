#pragma once

#include "commands/plan/step_kind.hpp"
#include "config/vocabulary.hpp"

#include <boost/describe/class.hpp>

#include <string>
#include <vector>

namespace opsbot::commands {

// The parameter types of the rotation step kinds (commands/plan/step_params.hpp): names only, never a value.

/// secret.verify's plan also records which services it health-checked, so a provider without a test call is
/// reported truthfully; secret.revoke and manual.checklist carry only the secret.
struct secret_step_params {
    std::string secret;
};
BOOST_DESCRIBE_STRUCT(secret_step_params, (), (secret))

/// secret.generate.
struct generate_params {
    std::string secret;
    secret_generator generate = secret_generator::hex32;
    std::string environment;
};
BOOST_DESCRIBE_STRUCT(generate_params, (), (secret, generate, environment))

/// manual.wait: the services a person puts the new value in.
struct manual_wait_params {
    std::string secret;
    secret_generator generate = secret_generator::manual;
    std::string environment;
    std::vector<std::string> services;
};
BOOST_DESCRIBE_STRUCT(manual_wait_params, (), (secret, generate, environment, services))

/// secret.write_railway; secret.stage and secret.unstage add the variable they write (…_NEXT).
struct secret_write_params {
    std::string secret;
    std::string service;
    std::string environment;
};
BOOST_DESCRIBE_STRUCT(secret_write_params, (), (secret, service, environment))

struct secret_stage_params {
    std::string secret;
    std::string service;
    std::string environment;
    std::string variable;
};
BOOST_DESCRIBE_STRUCT(secret_stage_params, (), (secret, service, environment, variable))

/// secret.write_vercel: Vercel's variable type and targets.
struct vercel_write_params {
    std::string secret;
    std::string service;
    std::string environment;
    std::string type;
    std::vector<std::string> targets;
};
BOOST_DESCRIBE_STRUCT(vercel_write_params, (), (secret, service, environment, type, targets))

/// secret.reencrypt: where the old key is read, and the staged copy of the new one that must match.
struct reencrypt_params {
    std::string secret;
    std::string service;
    std::string environment;
    std::string staged;
};
BOOST_DESCRIBE_STRUCT(reencrypt_params, (), (secret, service, environment, staged))

/// secret.verify.
struct verify_params {
    std::string secret;
    std::vector<std::string> health_checked;
    std::vector<std::string> not_health_checked;
};
BOOST_DESCRIBE_STRUCT(verify_params, (), (secret, health_checked, not_health_checked))

/// The step kinds of `/rotate` (and of `/incident secret-leaked`): secret.generate, secret.stage,
/// secret.reencrypt, secret.write_railway, secret.write_vercel, secret.verify, secret.revoke, secret.unstage,
/// and the manual ones. Each works on the run's secret vault (step_environment::vault).
std::vector<step_kind> rotate_step_kinds();

/// manual.wait (a person puts the new value in place, then `/rotate SECRET --continue`) and manual.checklist.
std::vector<step_kind> manual_step_kinds();

}  // namespace opsbot::commands
