#!/usr/bin/env bash
# Builds the Pulumi CLI and the Node.js language host from Go modules into the cache, unless they
# are already there, and prints the folder that holds them (put it on PATH).
#
# Why from Go modules: this project's CI reaches package registries only, not Pulumi's download
# site. The CLI's module has `replace` lines in its go.mod, so `go install pkg@version` refuses
# it; it builds as a dependency of a small module of ours that repeats those replacements.
# The Node.js host is no longer published as its own module; sdk/v3 v3.68.0 is the newest that
# still contains it, and it speaks the protocol of the newer CLI.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PULUMI_VERSION=3.274.1
NODE_HOST_SDK_VERSION=3.68.0
out="$NEO4J_ESTATE_CACHE/pulumi-v$PULUMI_VERSION"
if [ -x "$out/pulumi" ] && [ -x "$out/pulumi-language-nodejs" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { log "Go is required to build the Pulumi engine (https://go.dev/dl/)"; exit 1; }
mkdir -p "$out"
export GOFLAGS=-mod=mod CGO_ENABLED=0

build_cli() {
  local mod="$NEO4J_ESTATE_CACHE/build/pulumi-cli"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module neo4j-estate.local/pulumi-cli

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

// The same replacement pkg/v3's own go.mod makes (its sdk one points at a sibling folder, which
// the version required above stands in for).
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
  printf 'package main\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$mod/tools.go"
  (cd "$mod" && go mod tidy >/dev/null 2>&1 || true
   go build -trimpath \
     -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
     -o "$out/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$out/pulumi.tmp" "$out/pulumi"
}

build_node_host() {
  local mod="$NEO4J_ESTATE_CACHE/build/pulumi-language-nodejs"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module neo4j-estate.local/pulumi-language-nodejs

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v$NODE_HOST_SDK_VERSION
GOMOD
  printf 'package main\n\nimport _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"\n' >"$mod/tools.go"
  (cd "$mod" && go mod tidy >/dev/null 2>&1 || true
   go build -trimpath -ldflags "-s -w" -o "$out/pulumi-language-nodejs.tmp" \
     github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
  mv "$out/pulumi-language-nodejs.tmp" "$out/pulumi-language-nodejs"
}

start=$(date +%s)
[ -x "$out/pulumi-language-nodejs" ] || { log "building the Pulumi Node.js language host (sdk v$NODE_HOST_SDK_VERSION)"; build_node_host; }
[ -x "$out/pulumi" ] || { log "building the Pulumi CLI v$PULUMI_VERSION from Go modules (about 20 minutes cold on 2 cores)"; build_cli; }
log "Pulumi engine built in $(( $(date +%s) - start )) s: $out"
echo "$out"
