#!/usr/bin/env bash
# Makes a Docker engine answer on this machine: installs Debian's docker.io when dockerd is
# missing, starts dockerd in the background when none answers (there is no systemd here), and
# refuses container traffic to anything outside the machine. Idempotent.
#
# Why the egress rule: the tests start Neo4j, Prometheus and friends, which must talk only to each
# other and to 127.0.0.1. The rule sits in DOCKER-USER, the chain Docker leaves to its users and
# consults before its own forwarding rules, so container-to-container traffic and ports published
# on the host still work while anything routed out of the machine is rejected.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! command -v dockerd >/dev/null; then
  [ "$(id -u)" = 0 ] || { log "dockerd is missing; install Docker (as root: apt-get install docker.io)"; exit 1; }
  log "installing Debian's docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io iptables >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "no Docker engine answers and this user cannot start one"; exit 1; }
  log "starting dockerd (log: $NEO4J_ESTATE_CACHE/dockerd.log)"
  # setsid: the engine must outlive this script, and CI's shell must not wait on it.
  setsid dockerd >"$NEO4J_ESTATE_CACHE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not answer in 60 s"; tail -20 "$NEO4J_ESTATE_CACHE/dockerd.log" >&2; exit 1; }
fi

# Every interface that leads off the machine: the one holding the default route (and any other
# non-loopback, non-Docker interface, should routing change).
if [ "$(id -u)" = 0 ] && command -v iptables >/dev/null; then
  iptables -N DOCKER-USER 2>/dev/null || true
  for ifc in $(ls /sys/class/net); do
    case "$ifc" in lo | docker* | br-* | veth*) continue ;; esac
    iptables -C DOCKER-USER -o "$ifc" -j REJECT 2>/dev/null ||
      iptables -I DOCKER-USER -o "$ifc" -j REJECT
  done
fi
log "Docker engine $(docker version --format '{{.Server.Version}}') answers; container egress is refused"
