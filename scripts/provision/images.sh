#!/usr/bin/env bash
# Builds the local images the real-engine tests run, without any container registry:
#   neo4j-estate/neo4j:<5.26.x>-community   (two patch versions, for upgrade tests)
#   neo4j-estate/prometheus:<v>, neo4j-estate/pushgateway:<v>, neo4j-estate/alertmanager:<v>
# from Debian's packages (debootstrap, then `docker import`) and Neo4j's jars from Maven Central.
# Each image carries a label with the hash of its inputs and is rebuilt only when they change.
# The names are our own: these are test images, never stand-ins published as Neo4j's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# The patch versions the upgrade tests move between: older first.
NEO4J_VERSIONS=(${NEO4J_ESTATE_IMAGE_VERSIONS:-5.26.29 5.26.30})
work="$NEO4J_ESTATE_CACHE/images"
mkdir -p "$work"

docker info >/dev/null 2>&1 || { log "no Docker engine answers: run scripts/provision/docker.sh first"; exit 1; }

inputs_label() { docker image inspect --format '{{ index .Config.Labels "neo4j-estate.inputs" }}' "$1" 2>/dev/null || true; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# Debian's own mirror, as apt on this machine is configured: no host name is written here.
debian_mirror() {
  local uri
  uri=$(grep -rhoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -v security | head -n 1 | awk '{print $2}')
  echo "${uri:?no Debian mirror found in apt sources}"
}

# A Debian root file system with the given packages, imported as an image. Packages go in with
# chroot apt-get because containers cannot reach the network here.
debian_image() {
  local name=$1; shift
  local key; key=$(echo "bookworm $*" | sha256sum | cut -c1-16)
  [ "$(inputs_label "$name")" = "$key" ] && return 0
  command -v debootstrap >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  local base="$work/rootfs-base"
  if [ ! -f "$base/.complete" ]; then
    log "debootstrap of Debian bookworm (about 2 minutes)"
    rm -rf "$base"
    debootstrap --variant=minbase bookworm "$base" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 ||
      { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    touch "$base/.complete"
  fi
  local root="$work/rootfs-$key"
  rm -rf "$root"; cp -a "$base" "$root"
  if [ $# -gt 0 ]; then
    log "installing into $name: $*"
    mount -t proc proc "$root/proc"
    trap 'umount "$root/proc" 2>/dev/null || true' RETURN
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    chroot "$root" apt-get clean
    umount "$root/proc"; trap - RETURN
  fi
  rm -rf "$root"/var/lib/apt/lists/* "$root/.complete"
  tar -C "$root" -c . | docker import --change "LABEL neo4j-estate.inputs=$key" - "$name" >/dev/null
  rm -rf "$root"
  log "imported $name"
}

# The version Debian ships of a package inside an image, without its Debian revision.
package_version() {
  docker run --rm --network none --entrypoint dpkg-query "$1" -W -f '${Version}' "$2" | sed -E 's/^[0-9]+://; s/[+~-].*$//'
}

neo4j_image() {
  local version=$1 base=$2
  local name="neo4j-estate/neo4j:$version-community"
  local ctx="$work/neo4j-$version"
  local key; key=$(cd "$here/neo4j-image" && hash_of Dockerfile entrypoint.sh neo4j.conf bin/neo4j-admin pom.xml; echo "$version $(docker image inspect -f '{{.Id}}' "$base")")
  key=$(echo "$key" | sha256sum | cut -c1-16)
  [ "$(inputs_label "$name")" = "$key" ] && { log "$name is up to date"; return 0; }
  log "building $name (jars from Maven Central)"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp -r "$here/neo4j-image/." "$ctx/"
  mvn -q -B -f "$ctx/pom.xml" -Dneo4j.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$ctx/lib" >"$ctx/maven.log" 2>&1 ||
    { tail -20 "$ctx/maven.log" >&2; exit 1; }
  docker build -q --network none --build-arg BASE="$base" --label "neo4j-estate.inputs=$key" \
    --label "org.opencontainers.image.version=$version" -t "$name" "$ctx" >"$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log" >&2; exit 1; }
  rm -rf "$ctx"
}

# One image a Prometheus program, each the Debian package run as its own process.
prometheus_images() {
  local base=neo4j-estate/debian-prometheus:bookworm
  # wget: the components check readiness with it, as the upstream images allow.
  debian_image "$base" prometheus prometheus-pushgateway prometheus-alertmanager ca-certificates wget
  local p g a
  p=$(package_version "$base" prometheus)
  g=$(package_version "$base" prometheus-pushgateway)
  a=$(package_version "$base" prometheus-alertmanager)
  tag_program "$base" "neo4j-estate/prometheus:$p" /usr/bin/prometheus 9090 /prometheus
  tag_program "$base" "neo4j-estate/pushgateway:$g" /usr/bin/prometheus-pushgateway 9091 /pushgateway
  tag_program "$base" "neo4j-estate/alertmanager:$a" /usr/bin/prometheus-alertmanager 9093 /alertmanager
}

tag_program() {
  local base=$1 name=$2 program=$3 port=$4 datadir=$5
  local key; key=$(echo "$(docker image inspect -f '{{.Id}}' "$base") $program" | sha256sum | cut -c1-16)
  [ "$(inputs_label "$name")" = "$key" ] && { log "$name is up to date"; return 0; }
  local ctx; ctx=$(mktemp -d)
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN mkdir -p $datadir && chown nobody:nogroup $datadir
USER nobody
WORKDIR $datadir
EXPOSE $port
ENTRYPOINT ["$program"]
LABEL neo4j-estate.inputs=$key
DOCKERFILE
  docker build -q --network none -t "$name" "$ctx" >"$work/build.log" 2>&1 ||
    { tail -20 "$work/build.log" >&2; exit 1; }
  rm -rf "$ctx"
  log "tagged $name"
}

start=$(date +%s)
debian_image neo4j-estate/debian-jre:bookworm openjdk-17-jre-headless
for v in "${NEO4J_VERSIONS[@]}"; do neo4j_image "$v" neo4j-estate/debian-jre:bookworm; done
prometheus_images
log "images ready in $(( $(date +%s) - start )) s"
docker images --filter 'reference=neo4j-estate/*' --format '{{.Repository}}:{{.Tag}}' | sort
