#!/usr/bin/env bash
# Installs an S3-compatible server for the real-engine tests of BackupVolume's copies off the host:
# moto's server mode from PyPI, in a virtual environment in the cache (outside the repository), and
# prints that environment's python. moto checks every request's SigV4 signature once its IAM users
# exist, so a signing mistake in the runner fails the tests as it would fail against AWS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MOTO_VERSION=5.1.22
venv="$NEO4J_ESTATE_CACHE/moto-$MOTO_VERSION"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import moto.server, boto3" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi
command -v python3 >/dev/null || { log "python3 is required for the S3 test server"; exit 1; }
# Debian's python3 needs its venv module as a package of its own.
if ! python3 -m venv --help >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { log "python3-venv is missing (as root: apt-get install python3-venv)"; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
log "installing moto[server] $MOTO_VERSION into $venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
echo "$venv/bin/python"
