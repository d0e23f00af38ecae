#!/usr/bin/env bash
# The README's test command (`npm test`): unit tests, mock-runtime tests and tests against a real Neo4j.
# scripts/neo4j-test-server.ts starts Neo4j Community 5.26 (from Maven Central, cached in ~/.m2) on a
# free loopback port, exports NEO4J_TEST_URI / NEO4J_TEST_USER / NEO4J_TEST_PASSWORD to jest and
# stops the server afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests run on a Node.js package.json declares (the machine's, or one from the npm registry).
export PATH="$(bash scripts/provision/node.sh):$PATH"
# The monitoring tests check Prometheus files and dashboard queries with promtool.
bash scripts/install-promtool.sh
mkdir -p .neo4j-test
export JEST_SUMMARY_FILE="$PWD/.neo4j-test/summary.txt"
rm -f "$JEST_SUMMARY_FILE"
status=0
npx tsx scripts/neo4j-test-server.ts -- npx jest "$@" || status=$?
# The verdict comes last, alone on its line, after the test server has stopped.
if [ -f "$JEST_SUMMARY_FILE" ]; then cat "$JEST_SUMMARY_FILE"; else echo "0 passed, 1 failed (jest did not finish)"; fi
exit "$status"
