#!/usr/bin/env bash
# The README's test command (`npm test`): unit tests, mock-runtime tests and tests against a real Neo4j.
set -euo pipefail
cd "$(dirname "$0")/.."
npx jest "$@"
