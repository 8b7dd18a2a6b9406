# Installation and the Debian package (README "Installing the package").
#   cmake --install build --prefix /usr      bin/opsbot, share/doc/opsbot/…, lib/systemd/system/opsbot.service
#   make package                             the Release build, then CPack's DEB generator: build-release/opsbot_*.deb
# Run from any build folder, `cpack -G DEB` packages that folder's binary: tests/packaging/package_test.sh packages
# the Debug build of `make test` that way, so the test needs no Release build.
# The unit names /usr/bin/opsbot and /etc/opsbot: it is written for the package's prefix, /usr.

set(opsbot_packaging ${CMAKE_CURRENT_LIST_DIR})
set(opsbot_doc share/doc/opsbot)

# The example config as the package ships it: the database and the backups in /var/lib/opsbot, the one folder the
# unit lets opsbot write (ReadWritePaths), and the app checkout outside /home (ProtectHome). Derived from
# manifest/opsbot.example.jsonc at configure time, so the two never drift; a replacement that no longer matches stops
# the configure step instead of shipping the checkout's relative paths.
set(opsbot_example_source ${CMAKE_SOURCE_DIR}/manifest/opsbot.example.jsonc)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${opsbot_example_source})
file(READ ${opsbot_example_source} opsbot_example)
foreach(pair
    "\"database\": \"opsbot.db\",|\"database\": \"/var/lib/opsbot/opsbot.db\",   // the unit's ReadWritePaths"
    "\"workdir\": \"../app/apps/api\",        |\"workdir\": \"/srv/app/apps/api\",      "
    "\"backup_dir\": \"backups\",                |\"backup_dir\": \"/var/lib/opsbot/backups\",")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 from)
  list(GET pair 1 to)
  string(FIND "${opsbot_example}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "packaging/package.cmake: manifest/opsbot.example.jsonc no longer contains `${from}`; "
                        "update the packaged example's replacements")
  endif()
  string(REPLACE "${from}" "${to}" opsbot_example "${opsbot_example}")
endforeach()
string(CONCAT opsbot_example
  "// Installed by the opsbot package. Copy it to /etc/opsbot/opsbot.jsonc (0640 root:opsbot) and fill it in.\n"
  "// The systemd unit lets opsbot write only to /var/lib/opsbot (ProtectSystem=strict, ReadWritePaths): keep\n"
  "// `database` and `migrations.backup_dir` there, as below. `/home` is hidden from it (ProtectHome), so\n"
  "// `migrations.workdir` is an app checkout elsewhere, e.g. /srv/app. Relative paths are relative to\n"
  "// /var/lib/opsbot, the unit's WorkingDirectory. The tokens go in /etc/opsbot/opsbot.env (opsbot.env.example).\n"
  "//\n"
  "${opsbot_example}")
set(opsbot_example_file ${CMAKE_BINARY_DIR}/packaging/opsbot.example.jsonc)
set(opsbot_example_old "")
if(EXISTS ${opsbot_example_file})
  file(READ ${opsbot_example_file} opsbot_example_old)
endif()
if(NOT opsbot_example_old STREQUAL opsbot_example)
  file(WRITE ${opsbot_example_file} "${opsbot_example}")
endif()

install(TARGETS opsbot RUNTIME DESTINATION bin)
install(FILES ${opsbot_example_file} ${CMAKE_SOURCE_DIR}/manifest/slack-app.json
              ${CMAKE_SOURCE_DIR}/README.md ${opsbot_packaging}/opsbot.env.example
        DESTINATION ${opsbot_doc})
install(FILES ${opsbot_packaging}/opsbot.service DESTINATION lib/systemd/system)

set(OPSBOT_PACKAGE_MAINTAINER "opsbot maintainers <root@localhost>" CACHE STRING
    "Maintainer field of the Debian package: \"Name <email>\"")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME opsbot)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Slack chat-ops bot for deploys, rollbacks, migrations and secret rotation")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "opsbot connects to Slack over Socket Mode and runs an operations runbook\n"
  "as slash commands: deploys and rollbacks on Vercel and Railway, Prisma\n"
  "migrations with pg_dump backups, secret rotation, incident reports.\n"
  "Destructive commands need a second person's approval, and every step\n"
  "goes to a hash-chained audit log.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${OPSBOT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries the binary links (libc6, libssl3, libsqlite3-0, libboost-json, libfmt, libspdlog…), with
# their versions, from dpkg-shlibdeps (package dpkg-dev); adduser for postinst. libpq is opened only when a database
# command runs (pq/libpq.hpp), so dpkg-shlibdeps cannot see it: it is recommended with the pg_dump client.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libpq5, postgresql-client")
# `npx prisma migrate deploy`, the default migrations.deploy_command.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "npm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${opsbot_packaging}/debian/postinst ${opsbot_packaging}/debian/prerm
                                       ${opsbot_packaging}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# No debug symbols in the package (the Debug build's binary shrinks from tens of MB to a few).
set(CPACK_STRIP_FILES ON)
include(CPack)
