#!/bin/bash
# Our own entrypoint for the local Neo4j Community test image. It honours the conventions the
# Operations Manual documents for Neo4j's official image, because the components render for
# those conventions and the real-engine tests must run what they render unchanged:
#   - runs Neo4j as user and group neo4j (7474), owning /data and /logs;
#   - NEO4J_<setting> variables become settings (`.` is written `_`, a literal `_` is `__`),
#     except the image's own control variables;
#   - NEO4J_AUTH=neo4j/<password> | none, or NEO4J_AUTH_PATH naming a file that holds the same,
#     sets the initial password before the first start only;
#   - the server's own strict validation judges every setting (an unknown one stops the start).
set -euo pipefail
NEO4J_HOME=/var/lib/neo4j
CONF_DIR=$NEO4J_HOME/conf
CONF=$CONF_DIR/neo4j.conf

if [ "$(id -u)" = 0 ]; then
  # The auth file may be readable by root only: read it before dropping privileges.
  if [ -n "${NEO4J_AUTH_PATH:-}" ]; then
    [ -r "$NEO4J_AUTH_PATH" ] || { echo "NEO4J_AUTH_PATH $NEO4J_AUTH_PATH is not readable" >&2; exit 1; }
    NEO4J_AUTH=$(cat "$NEO4J_AUTH_PATH")
    export NEO4J_AUTH
    unset NEO4J_AUTH_PATH
  fi
  for dir in /data /logs; do
    mkdir -p "$dir"
    [ "$(stat -c %u "$dir")" = 7474 ] || chown -R 7474:7474 "$dir"
  done
  chown 7474:7474 "$CONF_DIR" "$CONF"
  exec setpriv --reuid=7474 --regid=7474 --init-groups -- "$0" "$@"
fi

[ -z "${NEO4J_AUTH_PATH:-}" ] || NEO4J_AUTH=$(cat "$NEO4J_AUTH_PATH")

is_control_variable() {
  case "$1" in
    NEO4J_AUTH | NEO4J_AUTH_PATH | NEO4J_ACCEPT_LICENSE_AGREEMENT | NEO4J_PLUGINS | NEO4J_EDITION | \
      NEO4J_HOME | NEO4J_CONF | NEO4J_DEBUG | NEO4J_SHA256 | NEO4J_TARBALL | *_FILE) return 0 ;;
  esac
  return 1
}

set_setting() {
  local name=$1 value=$2 tmp
  tmp=$(mktemp)
  grep -v -F -e "$name=" "$CONF" >"$tmp" || true
  printf '%s=%s\n' "$name" "$value" >>"$tmp"
  cat "$tmp" >"$CONF"
  rm -f "$tmp"
}

while IFS='=' read -r -d '' var value; do
  case "$var" in NEO4J_*) ;; *) continue ;; esac
  is_control_variable "$var" && continue
  name=${var#NEO4J_}
  name=${name//__/$'\x01'}
  name=${name//_/.}
  name=${name//$'\x01'/_}
  set_setting "$name" "$value"
done < <(env -0)

java_cp="$NEO4J_HOME/lib/*:/plugins/*"
admin() { java -cp "$java_cp" -Dfile.encoding=UTF-8 org.neo4j.cli.AdminTool "$@"; }
export NEO4J_HOME NEO4J_CONF=$CONF_DIR

case "${NEO4J_AUTH:-}" in
  "") ;;
  none) set_setting dbms.security.auth_enabled false ;;
  neo4j/*)
    if [ ! -e /data/dbms/auth.ini ] && [ ! -e /data/dbms/auth ] && [ ! -d /data/databases/system ]; then
      admin dbms set-initial-password "${NEO4J_AUTH#neo4j/}" >/dev/null
    fi ;;
  *) echo "NEO4J_AUTH must be neo4j/<password> or none" >&2; exit 1 ;;
esac
unset NEO4J_AUTH

if [ "${1:-neo4j}" != neo4j ]; then
  [ "$1" = neo4j-admin ] && { shift; exec java -cp "$java_cp" org.neo4j.cli.AdminTool "$@"; }
  exec "$@"
fi

# The launcher of the full distribution sizes the JVM from the heap settings; do the same.
heap_setting() { sed -n "s/^server\.memory\.heap\.$1=//p" "$CONF" | tail -n 1; }
jvm=(-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8)
initial=$(heap_setting initial_size); max=$(heap_setting max_size)
[ -z "$initial" ] || jvm+=("-Xms$initial")
[ -z "$max" ] || jvm+=("-Xmx$max")
# exec: java is PID 1 and receives `docker stop`'s SIGTERM, so Neo4j shuts down cleanly.
# --console-mode: the user log goes to stdout as well, as with the official image's `neo4j console`.
exec java "${jvm[@]}" -cp "$java_cp" org.neo4j.server.CommunityEntryPoint \
  --home-dir="$NEO4J_HOME" --config-dir="$CONF_DIR" --console-mode
