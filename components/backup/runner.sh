#!/usr/bin/env bash
# BackupVolume's backup runner. It runs inside a container from the cluster's own Neo4j Enterprise
# image, which has bash and neo4j-admin but not necessarily curl, wget or python: everything here is
# bash and coreutils. Configuration comes from a file BackupVolume renders (config.sh).
#
#   runner.sh run            back up on the schedule, forever (the container's command)
#   runner.sh run-once       back up every chosen database now
#   runner.sh health         exit 0 when the last good run is recent enough (the Docker health check)
#   runner.sh status         print the status file
#   runner.sh next-run T     print the first scheduled run after Unix time T
#   runner.sh databases      print the databases a run would back up
#   runner.sh push-metrics   push the last results to the Pushgateway
set -uo pipefail
# Byte lengths for Content-Length, and plain sorting.
export LC_ALL=C

# shellcheck source=/dev/null
source "${RUNNER_CONFIG:-/opt/neo4j-backup/config.sh}"

CRON_SEARCH_DAYS=2928
# Set by the TERM trap in run_forever: finish the backup in progress, start no other.
STOPPING=0
RUNNER_STATE="$STATE_DIR/runner.state"
RUN_LOG="$STATE_DIR/runs.log"

now() { date +%s; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
log() { printf '%s %s\n' "$(iso "$(now)")" "$*"; }

in_list() {
  local value=$1
  shift
  [[ " $* " == *" $value "* ]]
}

# Cron's day rule: with both day fields restricted, either may match.
cron_day_matches() {
  local dom=$1 dow=$2 by_dom=0 by_dow=0
  in_list "$dom" $CRON_DAYS_OF_MONTH && by_dom=1
  in_list "$dow" $CRON_DAYS_OF_WEEK && by_dow=1
  if ((CRON_DOM_RESTRICTED && CRON_DOW_RESTRICTED)); then
    ((by_dom || by_dow))
  elif ((CRON_DOM_RESTRICTED)); then
    ((by_dom))
  elif ((CRON_DOW_RESTRICTED)); then
    ((by_dow))
  fi
}

# The first scheduled run strictly after Unix time $1 (cron fields are evaluated in UTC).
next_run() {
  local after=$1
  if [[ $SCHEDULE_KIND == interval ]]; then
    echo $((after + INTERVAL_SECONDS))
    return 0
  fi
  local start_day=$((after / 86400 * 86400)) d day month dom dow h m t
  for ((d = 0; d < CRON_SEARCH_DAYS; d++)); do
    day=$((start_day + d * 86400))
    read -r month dom dow < <(date -u -d "@$day" '+%-m %-d %w')
    in_list "$month" $CRON_MONTHS || continue
    cron_day_matches "$dom" "$dow" || continue
    for h in $CRON_HOURS; do
      for m in $CRON_MINUTES; do
        t=$((day + h * 3600 + m * 60))
        if ((t > after)); then
          echo "$t"
          return 0
        fi
      done
    done
  done
  return 1
}

# key=value files: the runner's own state and one per database.
state_get() {
  local file=$1 key=$2
  [[ -r $file ]] || return 0
  sed -n "s/^$key=//p" "$file" | tail -n 1
}

state_set() {
  local file=$1 key=$2 value=$3
  mkdir -p "$(dirname "$file")"
  { [[ -r $file ]] && grep -v "^$key=" "$file"; printf '%s=%s\n' "$key" "$value"; } >"$file.tmp"
  mv "$file.tmp" "$file"
}

valid_database_name() { [[ $1 =~ ^[a-z0-9][a-z0-9.-]{2,62}$ ]]; }

# Every standard database (composites hold no data of their own) plus system, listed through any
# member that answers; when none does, the databases this runner already knows about.
databases() {
  if [[ -n $DATABASES ]]; then
    printf '%s\n' $DATABASES
    return 0
  fi
  local listed="" address password
  if [[ -r $PASSWORD_FILE ]]; then
    password=$(<"$PASSWORD_FILE")
    for address in "${BOLT_ADDRESSES[@]}"; do
      if listed=$(NEO4J_USERNAME="$ADMIN_USERNAME" NEO4J_PASSWORD="$password" cypher-shell -a "bolt://$address" \
        -d system --format plain "SHOW DATABASES YIELD name, type WHERE type <> 'composite' RETURN name" 2>/dev/null); then
        break
      fi
      listed=""
    done
  fi
  {
    echo system
    if [[ -n $listed ]]; then
      printf '%s\n' "$listed" | tail -n +2 | tr -d '"'
    else
      log "warning: could not list databases through ${BOLT_ADDRESSES[*]}; backing up system, $DEFAULT_DATABASE and the folders already in $BACKUP_ROOT" >&2
      echo "$DEFAULT_DATABASE"
      find "$BACKUP_ROOT" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n'
    fi
  } | while read -r name; do valid_database_name "$name" && echo "$name"; done | sort -u
}

artifacts() { find "$1" -maxdepth 1 -type f -name '*.backup' -printf '%f\n' | sort; }

# FULL starts a new chain when there is none yet or the current one has CHAIN_LENGTH backups;
# otherwise AUTO continues it (neo4j-admin falls back to a full backup when it must).
backup_type() {
  awk -F'\t' -v n="$CHAIN_LENGTH" '$2 == "full" { c = 0; seen = 1 } { c++ } END { print ((!seen || c >= n) ? "FULL" : "AUTO") }' "$1"
}

# Keeps the newest RETENTION_COUNT chains, or the chains with a backup in the last RETENTION_COUNT
# days, and always the newest chain: a differential is useless without its full backup and every
# differential before it, so chains go whole or not at all. Only artifacts this runner wrote (those
# in its catalog) are ever deleted.
apply_retention() {
  local db=$1 catalog="$STATE_DIR/catalog/$1.tsv" verdict epoch type file size
  awk -F'\t' -v kind="$RETENTION_KIND" -v count="$RETENTION_COUNT" -v now="$(now)" '
    { line[NR] = $0; if ($2 == "full" || NR == 1) chains++; chain[NR] = chains; newest[chains] = $1 }
    END {
      for (i = 1; i <= NR; i++) {
        c = chain[i]
        keep = (c == chains) || (kind == "chains" ? c > chains - count : newest[c] >= now - count * 86400)
        print (keep ? "keep" : "drop") "\t" line[i]
      }
    }' "$catalog" >"$catalog.plan"
  : >"$catalog.next"
  while IFS=$'\t' read -r verdict epoch type file size; do
    if [[ $verdict == drop ]]; then
      rm -f "$BACKUP_ROOT/$db/$file"
      log "retention database=$db deleted=$file type=$type taken=$(iso "$epoch")" | tee -a "$RUN_LOG"
    else
      printf '%s\t%s\t%s\t%s\n' "$epoch" "$type" "$file" "$size" >>"$catalog.next"
    fi
  done <"$catalog.plan"
  mv "$catalog.next" "$catalog"
  rm -f "$catalog.plan"
}

# One database: back it up, then believe the folder rather than the exit code. neo4j-admin has
# exited 0 without writing anything (neo4j/neo4j#13107), and exits 1 when a listed member was
# unreachable even though another one served the backup.
backup_database() {
  local db=$1 dir="$BACKUP_ROOT/$1" catalog="$STATE_DIR/catalog/$1.tsv" state="$STATE_DIR/databases/$1.state"
  local output="$STATE_DIR/output/$1.log" type recorded before started rc duration artifact size reason
  mkdir -p "$dir" "$STATE_DIR/catalog" "$STATE_DIR/output"
  touch "$catalog"
  type=$(backup_type "$catalog")
  [[ $type == FULL ]] && recorded=full || recorded=diff
  before=$(artifacts "$dir")
  started=$(now)
  neo4j-admin database backup "${BACKUP_OPTIONS[@]}" --to-path="$dir" --type="$type" "$db" >"$output" 2>&1
  rc=$?
  duration=$(($(now) - started))
  artifact=$(comm -13 <(printf '%s\n' "$before") <(artifacts "$dir") | tail -n 1)
  size=0
  [[ -n $artifact ]] && size=$(stat -c %s "$dir/$artifact")
  state_set "$state" last_attempt_at "$started"
  state_set "$state" last_duration_seconds "$duration"
  if [[ -n $artifact && $size -gt 0 ]]; then
    printf '%s\t%s\t%s\t%s\n' "$started" "$recorded" "$artifact" "$size" >>"$catalog"
    state_set "$state" last_result success
    state_set "$state" last_success_at "$started"
    state_set "$state" last_type "$recorded"
    state_set "$state" last_artifact "$artifact"
    state_set "$state" last_size_bytes "$size"
    state_set "$state" last_message "$([[ $rc -eq 0 ]] && echo ok || echo "artifact written; neo4j-admin exited $rc (a member was unreachable?)")"
    log "backup database=$db type=$recorded result=success size_bytes=$size duration_seconds=$duration artifact=$artifact exit_code=$rc" | tee -a "$RUN_LOG"
    apply_retention "$db"
    return 0
  fi
  if ((rc == 0)); then reason="neo4j-admin exited 0 but wrote no artifact"; else reason="neo4j-admin exited $rc"; fi
  state_set "$state" last_result failure
  state_set "$state" last_message "$reason"
  log "backup database=$db type=$recorded result=failure size_bytes=0 duration_seconds=$duration exit_code=$rc reason=\"$reason\"" | tee -a "$RUN_LOG"
  tail -n 20 "$output" | sed "s/^/  neo4j-admin[$db]: /"
  return 1
}

json_string() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
json_time() { if [[ -n ${1:-} ]]; then json_string "$(iso "$1")"; else printf null; fi; }
json_number() { if [[ -n ${1:-} ]]; then printf '%s' "$1"; else printf null; fi; }

known_databases() {
  [[ -d $STATE_DIR/databases ]] || return 0
  find "$STATE_DIR/databases" -maxdepth 1 -name '*.state' -printf '%f\n' | sed 's/\.state$//' | sort
}

write_status() {
  local db state first=1
  {
    printf '{\n  "runner": %s,\n  "schedule": %s,\n  "maxAgeSeconds": %s,\n' \
      "$(json_string "$RUNNER_NAME")" "$(json_string "$SCHEDULE_TEXT")" "$MAX_AGE_SECONDS"
    printf '  "startedAt": %s,\n  "lastAttemptAt": %s,\n  "lastSuccessAt": %s,\n  "lastResult": %s,\n  "nextRunAt": %s,\n' \
      "$(json_time "$(state_get "$RUNNER_STATE" started_at)")" \
      "$(json_time "$(state_get "$RUNNER_STATE" last_attempt_at)")" \
      "$(json_time "$(state_get "$RUNNER_STATE" last_success_at)")" \
      "$(json_string "$(state_get "$RUNNER_STATE" last_result)")" \
      "$(json_time "$(state_get "$RUNNER_STATE" next_run_at)")"
    printf '  "databases": {'
    for db in $(known_databases); do
      state="$STATE_DIR/databases/$db.state"
      ((first)) || printf ','
      first=0
      printf '\n    %s: {"lastAttemptAt": %s, "lastSuccessAt": %s, "lastResult": %s, "lastType": %s, "lastArtifact": %s, "lastSizeBytes": %s, "lastDurationSeconds": %s, "message": %s}' \
        "$(json_string "$db")" \
        "$(json_time "$(state_get "$state" last_attempt_at)")" \
        "$(json_time "$(state_get "$state" last_success_at)")" \
        "$(json_string "$(state_get "$state" last_result)")" \
        "$(json_string "$(state_get "$state" last_type)")" \
        "$(json_string "$(state_get "$state" last_artifact)")" \
        "$(json_number "$(state_get "$state" last_size_bytes)")" \
        "$(json_number "$(state_get "$state" last_duration_seconds)")" \
        "$(json_string "$(state_get "$state" last_message)")"
    done
    printf '\n  }\n}\n'
  } >"$STATE_DIR/status.json.tmp"
  mv "$STATE_DIR/status.json.tmp" "$STATE_DIR/status.json"
}

# Prometheus text format, one TYPE line per metric and a sample per database. A database that never
# succeeded has no last-success sample rather than a misleading 0.
render_metrics() {
  local metric key db value
  for metric in last_success_timestamp_seconds:last_success_at last_attempt_timestamp_seconds:last_attempt_at \
    last_attempt_success:last_result last_size_bytes:last_size_bytes; do
    key=${metric#*:}
    metric="neo4j_backup_${metric%%:*}"
    printf '# TYPE %s gauge\n' "$metric"
    for db in $(known_databases); do
      value=$(state_get "$STATE_DIR/databases/$db.state" "$key")
      if [[ $key == last_result ]]; then [[ $value == success ]] && value=1 || value=0; fi
      [[ $key == last_size_bytes && $(state_get "$STATE_DIR/databases/$db.state" last_result) != success ]] && value=0
      [[ -n $value ]] && printf '%s{database="%s"} %s\n' "$metric" "$db" "$value"
    done
  done
}

# PUT replaces this runner's whole group on the Pushgateway, so databases and values never go stale there.
push_metrics() {
  local hostport host port body path status
  hostport=${PUSHGATEWAY_URL#http://}
  hostport=${hostport%%/*}
  host=${hostport%%:*}
  port=80
  [[ $hostport == *:* ]] && port=${hostport##*:}
  body=$(render_metrics)$'\n'
  path="/metrics/job/neo4j_backup/instance/$RUNNER_NAME"
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$path" "$hostport" "${#body}" "$body" >&3
  read -r -t 10 status <&3
  exec 3<&-
  if [[ $status =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]]; then return 0; fi
  echo "Pushgateway answered: ${status%$'\r'}" >&2
  return 1
}

run_once() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/lock"
  if ! flock -n 9; then
    log "another backup run is in progress"
    return 75
  fi
  local started failures=0 count=0 db
  started=$(now)
  state_set "$RUNNER_STATE" last_attempt_at "$started"
  for db in $(databases); do
    if ((STOPPING)); then
      # Docker is stopping the runner: the databases not yet backed up wait for the next runner.
      log "run abandoned after $count databases: the runner is stopping"
      write_status
      flock -u 9
      return 0
    fi
    count=$((count + 1))
    backup_database "$db" || failures=$((failures + 1))
  done
  if ((count == 0)); then
    log "no database to back up"
    failures=1
  fi
  if ((failures == 0)); then
    state_set "$RUNNER_STATE" last_result success
    state_set "$RUNNER_STATE" last_success_at "$started"
  else
    state_set "$RUNNER_STATE" last_result failure
  fi
  write_status
  if [[ -n $PUSHGATEWAY_URL ]]; then
    if timeout 20 bash "$0" push-metrics; then
      log "metrics pushed to $PUSHGATEWAY_URL"
    else
      log "warning: could not push metrics to $PUSHGATEWAY_URL"
    fi
  fi
  log "run finished databases=$count failures=$failures duration_seconds=$(($(now) - started))"
  flock -u 9
  ((failures == 0))
}

health() {
  local t started success age
  t=$(now)
  if [[ ! -r $RUNNER_STATE ]]; then
    echo "unhealthy: no runner state at $RUNNER_STATE (has the runner started?)"
    return 1
  fi
  success=$(state_get "$RUNNER_STATE" last_success_at)
  if [[ -n $success ]]; then
    age=$((t - success))
    if ((age <= MAX_AGE_SECONDS)); then
      echo "healthy: last good backup ${age}s ago"
      return 0
    fi
    echo "unhealthy: last good backup ${age}s ago, more than twice the schedule (${MAX_AGE_SECONDS}s)"
    return 1
  fi
  started=$(state_get "$RUNNER_STATE" started_at)
  age=$((t - ${started:-0}))
  if ((age <= MAX_AGE_SECONDS)); then
    echo "healthy: no good backup yet, runner started ${age}s ago"
    return 0
  fi
  echo "unhealthy: no good backup since the runner started ${age}s ago"
  return 1
}

# Started as root (the image's default), the runner makes the backup root the neo4j user's, then
# carries on as that user so every artifact is one Neo4j can restore.
drop_privileges() {
  ((EUID == 0 && BACKUP_UID != 0)) || return 0
  mkdir -p "$BACKUP_ROOT" "$STATE_DIR"
  chown "$BACKUP_UID:$BACKUP_UID" "$BACKUP_ROOT"
  chown -R "$BACKUP_UID:$BACKUP_UID" "$STATE_DIR"
  if [[ -f $PASSWORD_FILE ]]; then
    chown "$BACKUP_UID:$BACKUP_UID" "$PASSWORD_FILE"
    chmod 0400 "$PASSWORD_FILE"
  fi
  if command -v su-exec >/dev/null; then exec su-exec "$BACKUP_UID:$BACKUP_UID" bash "$0" "$@"; fi
  if command -v gosu >/dev/null; then exec gosu "$BACKUP_UID:$BACKUP_UID" bash "$0" "$@"; fi
  exec setpriv --reuid="$BACKUP_UID" --regid="$BACKUP_UID" --clear-groups bash "$0" "$@"
}

run_forever() {
  local anchor next
  mkdir -p "$STATE_DIR"
  state_set "$RUNNER_STATE" started_at "$(now)"
  # Docker's stop (SIGTERM) lands here. bash runs the trap once the command in progress returns, so a
  # backup being taken completes and is recorded; the run then stops at the next database.
  trap 'STOPPING=1; log "stopping"' TERM INT
  log "runner started schedule=\"$SCHEDULE_TEXT\" databases=\"${DATABASES:-every database}\" retention=$RETENTION_KIND:$RETENTION_COUNT chain_length=$CHAIN_LENGTH"
  anchor=$(now)
  if ((BACKUP_AT_START)); then run_once; fi
  while ((!STOPPING)); do
    next=$(next_run "$anchor")
    state_set "$RUNNER_STATE" next_run_at "$next"
    write_status
    log "next run at $(iso "$next")"
    if ((next > $(now))); then
      sleep $((next - $(now))) &
      wait $!
    fi
    ((STOPPING)) && break
    anchor=$next
    run_once
  done
  log "stopped"
}

command=${1:-run}
case $command in
  run)
    drop_privileges "$@"
    run_forever
    ;;
  run-once)
    drop_privileges "$@"
    run_once
    ;;
  health) health ;;
  status) cat "$STATE_DIR/status.json" ;;
  next-run) next_run "$2" ;;
  databases) databases ;;
  push-metrics) push_metrics ;;
  *)
    echo "usage: runner.sh run|run-once|health|status|next-run <unix-time>|databases|push-metrics" >&2
    exit 64
    ;;
esac
