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
#   runner.sh databases      print the databases a run must back up (named, or every one seen so far)
#   runner.sh forget DB      stop expecting a dropped database (its backups stay)
#   runner.sh push-metrics   push the last results to the Pushgateway
#
# It needs no credentials: `neo4j-admin database backup` talks to the members' backup port, and
# with "*" backs up every database the cluster has, so databases created later are backed up without
# anyone listing them.
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
  # One temporary file per writer, as for the status: the stop trap and the loop may both write.
  { [[ -r $file ]] && grep -v "^$key=" "$file"; printf '%s=%s\n' "$key" "$value"; } >"$file.$BASHPID"
  mv "$file.$BASHPID" "$file"
}

valid_database_name() { [[ $1 =~ ^[a-z0-9][a-z0-9.-]{2,62}$ ]]; }

# The databases this runner has backed up before (one state file each), which every run must back
# up again: a database that goes missing from a run is a failure, not a silence.
known_databases() {
  [[ -d $STATE_DIR/databases ]] || return 0
  find "$STATE_DIR/databases" -maxdepth 1 -name '*.state' -printf '%f\n' | sed 's/\.state$//' | sort
}

# What a run must back up: the databases named in the arguments, or every one seen so far.
databases() {
  { printf '%s\n' $DATABASES; known_databases; } | while read -r name; do valid_database_name "$name" && echo "$name"; done | sort -u
}

# Stops expecting a database that was dropped on purpose; its artifacts and catalog stay.
forget() {
  local db=$1
  valid_database_name "$db" || { echo "not a database name: $db" >&2; return 64; }
  rm -f "$STATE_DIR/databases/$db.state"
  log "forgot database=$db: runs no longer expect it; its backups stay in $BACKUP_ROOT" | tee -a "$RUN_LOG"
  write_status
}

artifacts() { find "$BACKUP_ROOT" -maxdepth 1 -type f -name '*.backup' -printf '%f\n' | sort; }

# Earlier versions kept one folder per database; neo4j-admin continues a chain only from artifacts in
# the folder it writes to, so they move up next to the new ones (a rename: same volume).
migrate_layout() {
  local dir
  for dir in "$BACKUP_ROOT"/*/; do
    [[ -d $dir ]] || continue
    valid_database_name "$(basename "$dir")" || continue
    find "$dir" -maxdepth 1 -type f -name '*.backup' -exec mv -n {} "$BACKUP_ROOT/" \;
    rmdir "$dir" 2>/dev/null || true
  done
}

# Neo4j names an artifact <database>-<UTC time>.backup (a numeric suffix is tolerated): the
# database, when inspecting fails.
database_of_artifact() {
  local name=${1%.backup}
  [[ $name =~ ^(.+)-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-[0-9]{2}(-[0-9]+)?$ ]] && echo "${BASH_REMATCH[1]}"
}

# `neo4j-admin database backup --inspect-path` prints a table of every artifact with its database
# and whether it is a full backup. Read by the header's column names, since versions add columns.
# Prints "<file>\t<database>\t<full|diff>" per artifact.
inspect_artifacts() {
  neo4j-admin database backup --inspect-path="$BACKUP_ROOT" 2>/dev/null | awk -F'|' '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    /^\|/ {
      if (!file) {
        for (i = 2; i < NF; i++) { h = trim($i); if (h == "FILE") file = i; if (h == "DATABASE") db = i; if (h == "FULL") full = i }
        next
      }
      path = trim($file); n = split(path, parts, "/")
      printf "%s\t%s\t%s\n", parts[n], trim($db), (trim($full) == "true" ? "full" : "diff")
    }'
}

# FULL starts new chains when no database has a backup yet, or one database's current chain has
# CHAIN_LENGTH backups; otherwise AUTO continues them (neo4j-admin falls back to a full backup where
# it must, for a new database say; the artifact's real type is read back afterwards).
backup_type() {
  local catalog longest=0 length seen=0
  for catalog in "$STATE_DIR"/catalog/*.tsv; do
    [[ -s $catalog ]] || continue
    length=$(awk -F'\t' '$2 == "full" { c = 0 } { c++ } END { print c + 0 }' "$catalog")
    ((length > longest)) && longest=$length
    seen=1
  done
  if ((!seen || longest >= CHAIN_LENGTH)); then echo FULL; else echo AUTO; fi
}

# Keeps the newest RETENTION_COUNT chains, or the chains with a backup in the last RETENTION_COUNT
# days, and always the newest chain: a differential is useless without its full backup and every
# differential before it, so chains go whole or not at all. A backup whose type could not be read is
# kept with the chain before it, never counted as the start of one. Only artifacts this runner wrote
# (those in its catalog) are ever deleted.
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
      rm -f "$BACKUP_ROOT/$file"
      log "retention database=$db deleted=$file type=$type taken=$(iso "$epoch")" | tee -a "$RUN_LOG"
    else
      printf '%s\t%s\t%s\t%s\n' "$epoch" "$type" "$file" "$size" >>"$catalog.next"
    fi
  done <"$catalog.plan"
  mv "$catalog.next" "$catalog"
  rm -f "$catalog.plan"
}

# Records one database's outcome in its state file, the run log and, for a success, its catalog.
record() {
  local db=$1 result=$2 started=$3 duration=$4 rc=$5 type=${6:-} artifact=${7:-} size=${8:-0} reason=${9:-}
  local state="$STATE_DIR/databases/$db.state"
  state_set "$state" last_attempt_at "$started"
  state_set "$state" last_duration_seconds "$duration"
  state_set "$state" last_result "$result"
  if [[ $result == success ]]; then
    printf '%s\t%s\t%s\t%s\n' "$started" "$type" "$artifact" "$size" >>"$STATE_DIR/catalog/$db.tsv"
    state_set "$state" last_success_at "$started"
    state_set "$state" last_type "$type"
    state_set "$state" last_artifact "$artifact"
    state_set "$state" last_size_bytes "$size"
    state_set "$state" last_message "${reason:-ok}"
    log "backup database=$db type=$type result=success size_bytes=$size duration_seconds=$duration artifact=$artifact exit_code=$rc" | tee -a "$RUN_LOG"
    apply_retention "$db"
  else
    state_set "$state" last_message "$reason"
    log "backup database=$db result=failure size_bytes=0 duration_seconds=$duration exit_code=$rc reason=\"$reason\"" | tee -a "$RUN_LOG"
  fi
}

# One run: one neo4j-admin call for every database ("*"), or for the named ones. Then believe the
# folder rather than the exit code: neo4j-admin has exited 0 without writing anything
# (neo4j/neo4j#13107), and exits 1 when a listed member was unreachable even though another one
# served the backup. Every database the run must back up (named, seen before, or named in
# neo4j-admin's output) without a new non-empty artifact counts as a failure.
backup_all() {
  local output="$STATE_DIR/output/last-run.log" type before started rc duration new line file db kind size
  local -A artifact_of=() type_of=() size_of=()
  mkdir -p "$STATE_DIR/catalog" "$STATE_DIR/databases" "$STATE_DIR/output"
  local targets=("*")
  [[ -n $DATABASES ]] && read -ra targets <<<"$DATABASES"
  type=$(backup_type)
  before=$(artifacts)
  started=$(now)
  neo4j-admin database backup "${BACKUP_OPTIONS[@]}" --to-path="$BACKUP_ROOT" --type="$type" "${targets[@]}" >"$output" 2>&1
  rc=$?
  duration=$(($(now) - started))
  new=$(comm -13 <(printf '%s\n' "$before") <(artifacts))
  if [[ -n $new ]]; then
    local -A inspected=()
    while IFS=$'\t' read -r file db kind; do inspected[$file]="$db"$'\t'"$kind"; done < <(inspect_artifacts)
    while read -r file; do
      [[ -n $file ]] || continue
      size=$(stat -c %s "$BACKUP_ROOT/$file")
      if [[ -n ${inspected[$file]:-} ]]; then
        db=${inspected[$file]%%$'\t'*}
        kind=${inspected[$file]#*$'\t'}
      else
        # Not inspectable: attributed by name, typed unknown (kept with the chain before it).
        db=$(database_of_artifact "$file")
        kind=unknown
      fi
      valid_database_name "$db" || continue
      ((size > 0)) || continue
      artifact_of[$db]=$file type_of[$db]=$kind size_of[$db]=$size
    done <<<"$new"
  fi
  local expected
  expected=$({
    databases
    printf '%s\n' "${!artifact_of[@]}"
    # Databases neo4j-admin named, even one whose first backup failed.
    grep -o "database '[^']*'" "$output" | sed "s/^database '//; s/'\$//"
  } | while read -r db; do valid_database_name "$db" && echo "$db"; done | sort -u)
  RUN_COUNT=0 RUN_FAILURES=0
  for db in $expected; do
    RUN_COUNT=$((RUN_COUNT + 1))
    if [[ -n ${artifact_of[$db]:-} ]]; then
      local note=""
      ((rc == 0)) || note="artifact written; neo4j-admin exited $rc (a member was unreachable?)"
      [[ ${type_of[$db]} == unknown ]] && note="${note:+$note; }type unknown: neo4j-admin --inspect-path did not list the artifact"
      record "$db" success "$started" "$duration" "$rc" "${type_of[$db]}" "${artifact_of[$db]}" "${size_of[$db]}" "$note"
    else
      local reason
      if grep -q "database '$db'" "$output"; then
        if ((rc == 0)); then reason="neo4j-admin exited 0 but wrote no artifact"; else reason="neo4j-admin exited $rc and wrote no artifact"; fi
      else
        reason="not backed up: neo4j-admin did not name it (dropped? then run: runner.sh forget $db; or its members were unreachable)"
      fi
      RUN_FAILURES=$((RUN_FAILURES + 1))
      record "$db" failure "$started" "$duration" "$rc" "" "" 0 "$reason"
    fi
  done
  if ((RUN_FAILURES > 0 || RUN_COUNT == 0)); then tail -n 20 "$output" | sed 's/^/  neo4j-admin: /'; fi
}

json_string() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}
json_time() { if [[ -n ${1:-} ]]; then json_string "$(iso "$1")"; else printf null; fi; }
# Only a number is written as one: anything else (a value cut short) becomes null, never broken JSON.
json_number() { if [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then printf '%s' "$1"; else printf null; fi; }

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
    # A temporary file per writer: the stop trap and the loop may both write the status at once,
    # and two writers sharing one temporary file interleave into JSON that does not parse.
  } >"$STATE_DIR/status.json.$BASHPID"
  mv "$STATE_DIR/status.json.$BASHPID" "$STATE_DIR/status.json"
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
  local started
  started=$(now)
  state_set "$RUNNER_STATE" last_attempt_at "$started"
  migrate_layout
  # One neo4j-admin call covers every database: a stop (SIGTERM) lets it finish and be recorded.
  backup_all
  if ((RUN_COUNT == 0)); then
    log "no database was backed up: neo4j-admin named none (are the members' backup ports reachable?)"
    RUN_FAILURES=1
  fi
  if ((RUN_FAILURES == 0)); then
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
  log "run finished databases=$RUN_COUNT failures=$RUN_FAILURES duration_seconds=$(($(now) - started))"
  flock -u 9
  ((RUN_FAILURES == 0))
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
  # The directory root started in may be closed to that user (a 0700 home or checkout): work from
  # the backup root, which is theirs, so no tool trips over a working directory it cannot read.
  local self
  self=$(readlink -f "$0")
  cd "$BACKUP_ROOT"
  if command -v su-exec >/dev/null; then exec su-exec "$BACKUP_UID:$BACKUP_UID" bash "$self" "$@"; fi
  if command -v gosu >/dev/null; then exec gosu "$BACKUP_UID:$BACKUP_UID" bash "$self" "$@"; fi
  exec setpriv --reuid="$BACKUP_UID" --regid="$BACKUP_UID" --clear-groups bash "$self" "$@"
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
  forget) forget "${2:-}" ;;
  push-metrics) push_metrics ;;
  *)
    echo "usage: runner.sh run|run-once|health|status|next-run <unix-time>|databases|forget <database>|push-metrics" >&2
    exit 64
    ;;
esac
