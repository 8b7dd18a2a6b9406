#!/usr/bin/env bash
# packaging/opsbot.service as systemd reads it, without a running systemd (none runs here, nor in CI containers):
#  - `systemd-analyze verify` of a copy whose ExecStart names this build's binary (verify checks that the command is
#    an executable file on this machine, and /usr/bin/opsbot exists only where the package is installed). verify
#    exits 0 on an unknown key or an unparsable value and only prints a warning, so "passes" means: exit 0 and
#    nothing printed. Two broken copies must fail, so this test can fail.
#  - `systemd-analyze security --offline=yes`: systemd's own reading of the hardening, setting by setting.
# Usage: unit_verify_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
unit="$source_dir/packaging/opsbot.service"
work=$(mktemp -d "${TMPDIR:-/tmp}/opsbot-unit-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

grep -qx 'ExecStart=/usr/bin/opsbot run --config /etc/opsbot/opsbot.jsonc' "$unit" ||
    fail "the unit does not run /usr/bin/opsbot run --config /etc/opsbot/opsbot.jsonc"
mkdir -p "$work/good" "$work/typo" "$work/missing"
sed "s#^ExecStart=/usr/bin/opsbot #ExecStart=$build/opsbot #" "$unit" >"$work/good/opsbot.service"

# 1. The unit as shipped (but for the binary's path): accepted without a single warning.
if ! systemd-analyze verify "$work/good/opsbot.service" >"$work/good.log" 2>&1; then
    cat "$work/good.log" >&2
    fail "systemd-analyze verify refused the unit"
fi
if [ -s "$work/good.log" ]; then
    cat "$work/good.log" >&2
    fail "systemd-analyze verify printed warnings for the unit"
fi

# 2. A misspelled setting is only a warning for systemd (it would silently drop that hardening): this test fails on it.
sed 's/^ProtectSystem=strict$/ProtectSytem=strict/' "$work/good/opsbot.service" >"$work/typo/opsbot.service"
systemd-analyze verify "$work/typo/opsbot.service" >"$work/typo.log" 2>&1 || true
grep -q "Unknown key 'ProtectSytem'" "$work/typo.log" || fail "a misspelled key went unnoticed: $(cat "$work/typo.log")"

# 3. A binary that is not there: verify fails.
sed "s#^ExecStart=$build/opsbot #ExecStart=$work/missing/opsbot #" "$work/good/opsbot.service" \
    >"$work/missing/opsbot.service"
if systemd-analyze verify "$work/missing/opsbot.service" >"$work/missing.log" 2>&1; then
    fail "verify accepted a unit whose ExecStart does not exist"
fi
grep -q "is not executable" "$work/missing.log" || fail "unexpected verify output: $(cat "$work/missing.log")"

# 4. The hardening as systemd scores it: each setting the unit promises is in force (✓), MemoryDenyWriteExecute is
# deliberately not (node's JIT, see the unit), and the overall exposure stays at 2.0 or below ("OK").
systemd-analyze security --offline=yes --threshold=20 "$work/good/opsbot.service" >"$work/security.log" 2>&1 ||
    { cat "$work/security.log" >&2; fail "exposure level above 2.0"; }
for promised in 'NoNewPrivileges=' 'ProtectSystem=' 'ProtectHome=' 'PrivateTmp=' 'PrivateDevices=' \
    'CapabilityBoundingSet=~CAP_SYS_ADMIN' 'CapabilityBoundingSet=~CAP_NET_ADMIN' 'AmbientCapabilities=' \
    'RestrictAddressFamilies=~AF_PACKET' 'RestrictAddressFamilies=~AF_NETLINK' 'RestrictNamespaces=~user' \
    'ProtectKernelTunables=' 'ProtectKernelModules=' 'ProtectControlGroups=' 'LockPersonality=' 'UMask=' \
    'User=/DynamicUser='; do
    grep -q "^✓ ${promised}[[:space:]]" "$work/security.log" ||
        fail "systemd does not see ${promised} in force: $(grep -F "$promised" "$work/security.log")"
done
grep -q '^✓ ProtectSystem=.*strict read-only' "$work/security.log" || fail "ProtectSystem is not strict"
grep -q '^✗ MemoryDenyWriteExecute=' "$work/security.log" ||
    fail "MemoryDenyWriteExecute is set: node (npx prisma migrate deploy) cannot run under it"
echo "unit verified: $(tail -n 1 "$work/security.log")"
