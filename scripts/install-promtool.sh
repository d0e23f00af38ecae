#!/usr/bin/env bash
# The monitoring tests check the rendered Prometheus config, rules and dashboard queries with
# promtool, Prometheus's own parser, and the rendered alertmanager.yml with amtool, Alertmanager's.
# Debian ships them in the `prometheus` and `prometheus-alertmanager` packages.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool or amtool is missing: install Debian's ${missing[*]} package(s) (apt-get install ${missing[*]}) or put the tools on PATH; the monitoring tests fail without them." >&2
  exit 1
fi
echo "Installing ${missing[*]} (Debian) for promtool and amtool, which the monitoring tests run..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v promtool >/dev/null
command -v amtool >/dev/null
