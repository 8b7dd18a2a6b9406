#pragma once

#include "commands/plan/step_kind.hpp"

#include <boost/describe/class.hpp>

#include <string>
#include <vector>

namespace opsbot::commands {

// The parameter types of the database step kinds (commands/plan/step_params.hpp). They carry environment names,
// never a URL: the URL is read from its variable at run time.

/// postgres.backup, prisma.status.
struct database_step_params {
    std::string environment;
};
BOOST_DESCRIBE_STRUCT(database_step_params, (), (environment))

/// One migration as approved: its folder name and the SHA-256 of its migration.sql then.
struct approved_migration {
    std::string name;
    std::string checksum;
};
BOOST_DESCRIBE_STRUCT(approved_migration, (), (name, checksum))

/// prisma.deploy: the migrations approved, whose checksums enter the plan's digest (issue 12 item 2).
struct migrate_deploy_params {
    std::string environment;
    std::vector<approved_migration> approved;
};
BOOST_DESCRIBE_STRUCT(migrate_deploy_params, (), (environment, approved))

/// migrate.verified: which migrations staging was verified after.
struct migrate_verified_params {
    std::string environment;
    std::string migrations;  ///< "a, b"
};
BOOST_DESCRIBE_STRUCT(migrate_verified_params, (), (environment, migrations))

/// The step kinds of /backup and /migrate: "postgres.backup", "prisma.deploy", "prisma.status",
/// "migrate.verified". They need the `migrations` section (platform_registry::database).
std::vector<step_kind> database_step_kinds();

}  // namespace opsbot::commands
