#!/usr/bin/env bash
# The Debian package, built by CPack from THIS build folder (the Debug build of `make test`: no Release build needed;
# `make package` runs the same CPack configuration in build-release/):
#  1. its files (exactly those, owned by root, the binary executable);
#  2. its control data: version, maintainer, Depends computed by dpkg-shlibdeps, maintainer scripts;
#  3. the binary it installs, unpacked into a throwaway root with `dpkg -x`: `opsbot version` names this version and
#     the source's commit; the packaged example config, with the tokens the packaged env example lists, passes
#     check-config (with its /var/lib/opsbot paths moved into the throwaway folder);
#  4. the maintainer scripts, run for real but with PATH holding only recording stand-ins for every command they call
#     (adduser, chown, rm…): the real system cannot be touched (they call no command by path: checked first), and the
#     log shows what they would do on install, upgrade, remove and purge.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
version=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/opsbot-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# --- 1. build the package from this build folder
if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    fail "cpack failed"
fi
debs=("$work"/out/opsbot_"$version"_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one opsbot_${version}_*.deb, found: $(ls "$work/out")"
deb=${debs[0]}

# --- 2. files
dpkg-deb --contents "$deb" >"$work/contents"
grep -v '^d' "$work/contents" | awk '{ print $6 }' | sort >"$work/files"
sort >"$work/expected-files" <<'EOF'
./usr/bin/opsbot
./usr/lib/systemd/system/opsbot.service
./usr/share/doc/opsbot/README.md
./usr/share/doc/opsbot/opsbot.env.example
./usr/share/doc/opsbot/opsbot.example.jsonc
./usr/share/doc/opsbot/slack-app.json
EOF
diff -u "$work/expected-files" "$work/files" || fail "the package's files differ from the expected ones (above)"
awk '$2 != "root/root" { print; bad = 1 } END { exit bad }' "$work/contents" || fail "files not owned by root"
grep -q '^-rwxr-xr-x .* ./usr/bin/opsbot$' "$work/contents" || fail "/usr/bin/opsbot is not 0755"
grep -q '^-rw-r--r-- .* ./usr/lib/systemd/system/opsbot.service$' "$work/contents" || fail "the unit is not 0644"

# --- 3. control data
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = opsbot ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
depends=$(field Depends)
# adduser is ours; the others can only come from dpkg-shlibdeps reading the binary's NEEDED libraries.
for dep in adduser 'libc6 (>=' 'libssl3 (>=' 'libsqlite3-0 (>=' 'libstdc++6 (>='; do
    [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
[[ "$(field Recommends)" == *libpq5* ]] || fail "Recommends lacks libpq5 (opened lazily, invisible to shlibdeps)"
dpkg-deb --info "$deb" >"$work/info"
for script in postinst prerm postrm; do
    grep -Eq "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script +#!/bin/sh" "$work/info" ||
        fail "dpkg-deb --info does not list an executable $script: $(cat "$work/info")"
done

# --- 4. the installed binary
dpkg -x "$deb" "$work/root"
bin="$work/root/usr/bin/opsbot"
"$bin" version >"$work/version" 2>&1 || fail "opsbot version exited $?: $(cat "$work/version")"
commit=unknown
if git -C "$source_dir" rev-parse --short=12 HEAD >"$work/git-commit" 2>/dev/null; then
    commit=$(cat "$work/git-commit")
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
[ "$(head -n 1 "$work/version")" = "opsbot $version" ] || fail "first line: $(head -n 1 "$work/version")"
grep -Eq "^  commit +$commit\$" "$work/version" || fail "commit $commit not named: $(cat "$work/version")"
grep -Eq "^  build type +$build_type\$" "$work/version" || fail "build type $build_type not named"
for lib in 'Boost +1\.[0-9]+\.[0-9]+' 'OpenSSL +3\.' 'SQLite +3\.' 'libpq +[0-9]+\.[0-9]+' 'spdlog +[0-9]' 'fmt +[0-9]'; do
    grep -Eq "^  $lib" "$work/version" || fail "no library line /$lib/: $(cat "$work/version")"
done

# The packaged example keeps the bot's files in /var/lib/opsbot, the one folder the unit lets it write.
example="$work/root/usr/share/doc/opsbot/opsbot.example.jsonc"
grep -q '"database": "/var/lib/opsbot/opsbot.db"' "$example" || fail "the packaged example's database is elsewhere"
grep -q '"backup_dir": "/var/lib/opsbot/backups"' "$example" || fail "the packaged example's backup_dir is elsewhere"
# It is a valid config, and the env example names every variable it needs: check-config with exactly those set
# (placeholder values) finds nothing. The paths move into the throwaway folder, which this test may write.
mkdir -p "$work/state" "$work/app/apps/api/prisma/migrations"
sed -e "s#/var/lib/opsbot#$work/state#g" -e "s#/srv/app#$work/app#g" "$example" >"$work/opsbot.jsonc"
env_args=()
while IFS= read -r name; do
    case "$name" in
        *_URL) env_args+=("$name=postgresql://opsbot@db.invalid:5432/app") ;;
        *) env_args+=("$name=placeholder-value-$name") ;;
    esac
done < <(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=$/\1/p' "$work/root/usr/share/doc/opsbot/opsbot.env.example")
[ ${#env_args[@]} -ge 2 ] || fail "the env example lists no variables"
env -i PATH=/usr/bin:/bin "${env_args[@]}" "$bin" check-config --config "$work/opsbot.jsonc" >"$work/check" 2>&1 ||
    fail "check-config of the packaged example with the env example's variables: $(cat "$work/check")"

# --- 5. maintainer scripts, against recording stand-ins
dpkg-deb --control "$deb" "$work/control"
for script in postinst prerm postrm; do
    sh -n "$work/control/$script" || fail "$script: syntax"
    # The stand-ins are found through PATH only: a command called by its path would reach the real one.
    if grep -nE '(^|[;&|(`[:space:]])/(usr/)?s?bin/' "$work/control/$script" | grep -v '^1:#!/bin/sh$'; then
        fail "$script calls a command by path (above)"
    fi
    # Output goes nowhere but /dev/null or stderr.
    if grep -nE '>[[:space:]]*[^&[:space:]]' "$work/control/$script" | grep -v '>[[:space:]]*/dev/null'; then
        fail "$script writes a file (above)"
    fi
done
stubs="$work/stubs"
mkdir -p "$stubs"
for cmd in adduser addgroup useradd deluser userdel getent mkdir chown chmod install dpkg-statoverride systemctl \
    deb-systemd-helper deb-systemd-invoke rm rmdir ln; do
    cat >"$stubs/$cmd" <<'EOF'
#!/bin/sh
echo "${0##*/} $*" >>"$STUB_LOG"
case "${0##*/}" in
    getent) [ "$STUB_USER_EXISTS" = yes ] && echo "opsbot:x:999:999::/var/lib/opsbot:/usr/sbin/nologin" && exit 0; exit 2 ;;
    dpkg-statoverride) [ "$STUB_OVERRIDE" = yes ] && exit 0; exit 1 ;;
    systemctl) [ "$1" = is-active ] && exit 3 ;;
esac
exit 0
EOF
    chmod 0755 "$stubs/$cmd"
done
# run_script NAME LOG USER_EXISTS OVERRIDE ARGS...: the script's commands, one per line, in $work/LOG.
run_script() {
    local script=$1 log=$2 user_exists=$3 override=$4
    shift 4
    : >"$work/$log"
    env -i PATH="$stubs" STUB_LOG="$work/$log" STUB_USER_EXISTS="$user_exists" STUB_OVERRIDE="$override" \
        /bin/sh "$work/control/$script" "$@" >"$work/$log.out" 2>&1 ||
        fail "$script $* failed: $(cat "$work/$log.out")"
}
has() { grep -qxF "$2" "$work/$1" || fail "$1: expected \`$2\` in: $(cat "$work/$1")"; }
hasnt() { if grep -qE "$2" "$work/$1"; then fail "$1: unexpected /$2/ in: $(cat "$work/$1")"; fi; }

# A first install: the system user, the state folder 0700 opsbot:opsbot, the config folder 0750 root:opsbot; the
# service is neither enabled nor started.
run_script postinst install.log no no configure
has install.log 'adduser --system --group --home /var/lib/opsbot --no-create-home opsbot'
has install.log 'chown opsbot:opsbot /var/lib/opsbot'
has install.log 'chmod 0700 /var/lib/opsbot'
has install.log 'chown root:opsbot /etc/opsbot'
has install.log 'chmod 0750 /etc/opsbot'
hasnt install.log '^(systemctl|deb-systemd-invoke|deb-systemd-helper) .*(enable|start|restart)'
# The chown of a folder comes after the user exists.
[ "$(grep -n '^adduser' "$work/install.log" | cut -d: -f1)" -lt "$(grep -n '^chown opsbot' "$work/install.log" | cut -d: -f1)" ] ||
    fail "the state folder is chowned before the user exists"
# An upgrade: the user exists and is not created again; nothing is started.
run_script postinst upgrade.log yes no configure 0.0.1
hasnt upgrade.log '^(adduser|useradd)'
hasnt upgrade.log '^(systemctl|deb-systemd-invoke|deb-systemd-helper) .*(enable|start|restart)'
# An administrator's dpkg-statoverride for the folders is left alone.
run_script postinst override.log yes yes configure 0.0.1
hasnt override.log '^(chown|chmod)'
# Remove keeps the state; only purge deletes /var/lib/opsbot. The user stays either way.
run_script prerm prerm-upgrade.log yes no upgrade "$version"
hasnt prerm-upgrade.log '^systemctl stop'
run_script postrm remove.log yes no remove
hasnt remove.log '^rm '
run_script postrm purge.log yes no purge
has purge.log 'rm -rf /var/lib/opsbot'
hasnt purge.log '^(deluser|userdel)'
hasnt purge.log '^rm .*/etc/opsbot'
echo "package OK: $(basename "$deb"), Depends: $depends"
