#!/usr/bin/env bash
# The monitoring tests check the rendered Prometheus config, rules and dashboard queries with
# promtool, Prometheus's own parser. Debian ships it in the `prometheus` package.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool is missing: install Debian's 'prometheus' package (apt-get install prometheus) or put promtool on PATH; the monitoring tests fail without it." >&2
  exit 1
fi
echo "Installing promtool (Debian package prometheus) for the monitoring tests..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null
