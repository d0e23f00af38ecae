#!/usr/bin/env bash
# Builds a real Kubernetes control plane and the Pulumi Kubernetes provider from Go modules into
# the cache, unless they are already there, and prints the folders that hold them as a PATH
# fragment (`PATH="$(bash scripts/provision/kubernetes.sh):$PATH"`).
#
# Always built: kube-apiserver (validates and stores every object the components render, and
# answers server-side dry runs, which is what `pulumi preview` uses), kube-controller-manager
# (its namespace controller finishes deleting a Namespace; without it `pulumi destroy` waits
# forever) and pulumi-resource-kubernetes. With NEO4J_ESTATE_K8S_NODE=1 also kube-scheduler
# and kubelet, so pods can run; those two cost about as much again and are left out of CI's
# default.
#
# Why from Go modules: CI reaches package registries only. k8s.io/kubernetes is not meant to be
# a dependency (its go.mod points its 33 staging modules at sibling folders), so it builds as a
# dependency of a small module of ours that points each staging module at its published
# v0.<minor>.<patch> instead. The provider's module is published as a pseudo-version that lacks
# two files generated at release time (copies of JSON files beside them); we add them to a copy.
#
# Each build is timed with /usr/bin/time -v into $out/timings.log (wall, CPU, peak RSS), which
# is where the README's cold/warm numbers come from. Builds run at the lowest CPU priority: the
# machines this runs on are shared.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

K8S_VERSION=1.37.2
K8S_STAGING_VERSION=0.37.2
# The pseudo-version the Go module proxy serves for provider/v4 (it publishes no v4 tag), and the
# version it reports, which must satisfy the @pulumi/kubernetes npm package (4.34.2) that asks for
# it, or the CLI warns that the plugin is older than the SDK expects.
PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
PROVIDER_VERSION=4.34.2
NODE=${NEO4J_ESTATE_K8S_NODE:-0}

command -v go >/dev/null || { log "Go is required to build Kubernetes (https://go.dev/dl/)"; exit 1; }
# The API server's store: Debian's etcd 3.4 (it only warns that it is older than the API server
# would like). The tests start it on a loopback port of their own; the package starts nothing here.
if ! command -v etcd >/dev/null; then
  [ "$(id -u)" = 0 ] || { log "etcd is missing; install it (as root: apt-get install etcd-server)"; exit 1; }
  log "installing Debian's etcd-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
fi
export GOFLAGS=-mod=mod CGO_ENABLED=0
# The cache folders are named by a hash of what decides the binaries' content (versions, build
# flags, a revision to bump when the recipe below changes), so a change gets a new folder instead
# of silently reusing binaries built the old way.
RECIPE_REVISION=1
recipe=$(printf '%s ' "$K8S_VERSION" "$K8S_STAGING_VERSION" "$PROVIDER_MODULE_VERSION" "$PROVIDER_VERSION" \
  "$RECIPE_REVISION" "$GOFLAGS" "$CGO_ENABLED" "$(go env GOVERSION)" | sha256sum | cut -c1-12)
k8s_out="$NEO4J_ESTATE_CACHE/kubernetes-v$K8S_VERSION-$recipe"
provider_out="$NEO4J_ESTATE_CACHE/pulumi-kubernetes-v$PROVIDER_VERSION-$recipe"
mkdir -p "$k8s_out" "$provider_out"

# Runs a build step under /usr/bin/time -v (when present) and appends one line to timings.log:
# name, wall seconds, user+system CPU seconds, peak RSS in MB, binary size in MB.
timed() {
  local name=$1 dir=$2 log_file; shift 2
  log_file=$(mktemp)
  local start; start=$(date +%s)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$log_file" nice -n 19 "$@"
  else
    nice -n 19 "$@"
  fi
  local wall=$(( $(date +%s) - start )) cpu=? rss=? size=?
  if [ -s "$log_file" ]; then
    cpu=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.0f", u+s}' "$log_file")
    rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$log_file")
  fi
  # Built as $name.tmp and renamed by the caller once complete.
  [ -f "$dir/$name.tmp" ] && size=$(( $(stat -c %s "$dir/$name.tmp") / 1048576 ))
  printf '%s %s wall=%ss cpu=%ss peak_rss=%sMB size=%sMB\n' "$(date -u +%FT%TZ)" "$name" "$wall" "$cpu" "$rss" "$size" \
    | tee -a "$dir/timings.log" >&2
  rm -f "$log_file"
}

k8s_module() {
  local mod="$NEO4J_ESTATE_CACHE/build/kubernetes"
  mkdir -p "$mod"
  if [ ! -f "$mod/go.sum" ]; then
    log "downloading k8s.io/kubernetes v$K8S_VERSION (about 600 MB of modules)"
    local gomod
    gomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
    {
      printf 'module neo4j-estate.local/kubernetes\n\ngo 1.26\n\nrequire k8s.io/kubernetes v%s\n\n' "$K8S_VERSION"
      echo '// k8s.io/kubernetes points these at folders of its own repository; use their published'
      echo '// versions, which are the same code.'
      echo 'replace ('
      sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#\t\1 => \1 v'"$K8S_STAGING_VERSION"'#p' "$gomod"
      echo ')'
    } >"$mod/go.mod.tmp"
    mv "$mod/go.mod.tmp" "$mod/go.mod"
    printf 'package main\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler"\n\t_ "k8s.io/kubernetes/cmd/kubelet"\n)\n' >"$mod/tools.go"
    (cd "$mod" && go mod tidy -e >/dev/null 2>&1 || true)
  fi
  echo "$mod"
}

build_k8s() {
  local name=$1 mod=$2 ldflags="-s -w" key
  # What `kubectl version` and the API server's /version report; the kubelet's registration and
  # the Pulumi provider read it.
  for key in "gitVersion=v$K8S_VERSION" "gitMajor=${K8S_VERSION%%.*}" "gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)" \
    gitTreeState=clean buildDate=1970-01-01T00:00:00Z; do
    ldflags="$ldflags -X k8s.io/component-base/version.$key -X k8s.io/client-go/pkg/version.$key"
  done
  log "building $name v$K8S_VERSION"
  (cd "$mod" && timed "$name" "$k8s_out" go build -trimpath -ldflags "$ldflags" \
    -o "$k8s_out/$name.tmp" "k8s.io/kubernetes/cmd/$name")
  mv "$k8s_out/$name.tmp" "$k8s_out/$name"
}

build_provider() {
  local mod="$NEO4J_ESTATE_CACHE/build/pulumi-kubernetes"
  local src="$mod/provider"
  mkdir -p "$mod"
  if [ ! -f "$src/go.mod" ]; then
    log "downloading github.com/pulumi/pulumi-kubernetes/provider/v4 $PROVIDER_MODULE_VERSION"
    local dir
    dir=$(cd "$mod" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$PROVIDER_MODULE_VERSION" \
      | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
    rm -rf "$src.tmp" && cp -r "$dir" "$src.tmp" && chmod -R u+w "$src.tmp"
    # Generated at release time (go:embed'ed copies of the files beside them), not in the module.
    local cmd="$src.tmp/cmd/pulumi-resource-kubernetes"
    cp "$cmd/schema.json" "$cmd/schema-embed.json"
    cp "$cmd/terraform-mapping.json" "$cmd/terraform-mapping-embed.json"
    # Its go.mod points the Go SDK at a sibling folder; the version it requires stands in for it.
    sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => /d' "$src.tmp/go.mod"
    mv "$src.tmp" "$src"
    local pulumi_pkg
    pulumi_pkg=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^ ]*\).*#\1#p' "$src/go.mod" | head -1)
    cat >"$mod/go.mod" <<GOMOD
module neo4j-estate.local/pulumi-kubernetes

go 1.26

require github.com/pulumi/pulumi-kubernetes/provider/v4 $PROVIDER_MODULE_VERSION

replace github.com/pulumi/pulumi-kubernetes/provider/v4 => ./provider

// The replacement github.com/pulumi/pulumi/pkg/v3 ($pulumi_pkg) makes in its own go.mod.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
    printf 'package main\n\nimport _ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"\n' >"$mod/tools.go"
    (cd "$mod" && go mod tidy -e >/dev/null 2>&1 || true)
  fi
  log "building pulumi-resource-kubernetes $PROVIDER_VERSION (about 30 minutes cold on 2 busy cores)"
  (cd "$mod" && timed pulumi-resource-kubernetes "$provider_out" go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PROVIDER_VERSION" \
    -o "$provider_out/pulumi-resource-kubernetes.tmp" github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes)
  mv "$provider_out/pulumi-resource-kubernetes.tmp" "$provider_out/pulumi-resource-kubernetes"
}

# The pod sandbox's process (what the "pause" image runs): holds the pod's namespaces, reaps
# orphans, exits on SIGINT/SIGTERM. Ours, a few lines of Go built static, because no registry
# serves the upstream image here; the test harness wraps it into an image and imports it into its
# own containerd.
build_pause() {
  local mod="$NEO4J_ESTATE_CACHE/build/pause"
  mkdir -p "$mod"
  printf 'module neo4j-estate.local/pause\n\ngo 1.26\n' >"$mod/go.mod"
  cat >"$mod/main.go" <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			if pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
GO
  log "building the pod sandbox's pause binary"
  (cd "$mod" && go build -trimpath -ldflags "-s -w" -o "$k8s_out/pause.tmp" .)
  mv "$k8s_out/pause.tmp" "$k8s_out/pause"
}

# The pod-level suite also needs Debian's containerd (with docker.io, from scripts/provision/docker.sh)
# and CNI plugins (the bridge and host-local IPAM).
if [ "$NODE" = 1 ] && [ ! -x /usr/lib/cni/bridge ]; then
  [ "$(id -u)" = 0 ] || { log "CNI plugins are missing; install them (as root: apt-get install containernetworking-plugins)"; exit 1; }
  log "installing Debian's containernetworking-plugins"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends containernetworking-plugins >/dev/null
fi

wanted="kube-apiserver kube-controller-manager"
[ "$NODE" = 1 ] && wanted="$wanted kube-scheduler kubelet"
start=$(date +%s)
for name in $wanted; do
  [ -x "$k8s_out/$name" ] || build_k8s "$name" "$(k8s_module)"
  # The provider right after the control plane, before the node binaries: with those three the
  # whole API-server tier can run.
  if [ "$name" = kube-controller-manager ] && [ ! -x "$provider_out/pulumi-resource-kubernetes" ]; then build_provider; fi
done
if [ "$NODE" = 1 ] && [ ! -x "$k8s_out/pause" ]; then build_pause; fi
log "Kubernetes v$K8S_VERSION ($wanted) and its Pulumi provider ready in $(( $(date +%s) - start )) s"
echo "$k8s_out:$provider_out"
