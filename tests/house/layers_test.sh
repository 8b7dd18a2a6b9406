#!/usr/bin/env bash
# The house's one-way arrows (issue 13), checked on the sources: a change that breaks one fails here, with the file.
#  - grammar/ and plan/ (the shared vocabulary) and the executor (bot/actions/) name no command family;
#  - production code includes nothing of the demo world: sim/, demo/ and fakes/ are for demo/, tests and bench/;
#  - core/ does not include the configuration loader (config/ is its own library);
#  - every docs/… file a code comment cites exists in this repository, and no code cites files outside it.
# Usage: layers_test.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 2
failures=0
refuse() {  # refuse WHAT PATTERN FOLDERS...
    local what=$1 pattern=$2
    shift 2
    local found
    found=$(grep -rnE "$pattern" "$@" --include='*.cpp' --include='*.hpp' || true)
    if [ -n "$found" ]; then
        echo "FAIL: $what:"
        echo "$found"
        failures=$((failures + 1))
    fi
}
families='#include "commands/(deploy|rollback|rotate|database|incident|audit)/'
refuse "the shared grammar, plans and the executor name a family" "$families" commands/grammar commands/plan bot/actions
refuse "production code includes the demo world" '#include "(sim|demo|fakes)/' \
    adapters bot commands config core metrics pq storage
refuse "core/ includes the configuration loader" '#include "config/' core
refuse "code cites files outside the repository" '\.\./shared/' \
    adapters bot commands config core demo fakes metrics pq sim storage main.cpp
cited=$(grep -rhoE 'docs/[A-Za-z0-9_-]+\.md' --include='*.cpp' --include='*.hpp' \
    adapters bot commands config core demo fakes metrics pq sim storage main.cpp | sort -u)
for file in $cited; do
    if [ ! -f "$file" ]; then
        echo "FAIL: a comment cites $file, which is not in docs/"
        failures=$((failures + 1))
    fi
done
if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "house: $(echo "$cited" | wc -w) docs files cited, all present; no arrow points the wrong way"
