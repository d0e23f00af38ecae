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
#   runner.sh offsite-sync   copy the artifacts still queued to the bucket, apply retention there
#   runner.sh offsite-catalog DB       print the bucket's catalog of a database (for restore)
#   runner.sh offsite-fetch DIR FILE…  download artifacts from the bucket into DIR (for restore)
#
# It needs no Neo4j credentials: `neo4j-admin database backup` talks to the members' backup port,
# and with "*" backs up every database the cluster has, so databases created later are backed up
# without anyone listing them. The only secrets are the bucket's keys, as files (OFFSITE_CREDENTIALS).
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
# Configurations rendered before copies off the host existed have no OFFSITE line.
OFFSITE=${OFFSITE:-0}

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

# Prints "keep" or "drop" before each line of a catalog ("<epoch>\t<type>\t<file>\t<size>", oldest
# first): the one retention rule, for the volume and for the bucket.
retention_plan() {
  awk -F'\t' -v kind="$RETENTION_KIND" -v count="$RETENTION_COUNT" -v now="$(now)" '
    { line[NR] = $0; if ($2 == "full" || NR == 1) chains++; chain[NR] = chains; newest[chains] = $1 }
    END {
      for (i = 1; i <= NR; i++) {
        c = chain[i]
        keep = (c == chains) || (kind == "chains" ? c > chains - count : newest[c] >= now - count * 86400)
        print (keep ? "keep" : "drop") "\t" line[i]
      }
    }' "$1"
}

# Keeps the newest RETENTION_COUNT chains, or the chains with a backup in the last RETENTION_COUNT
# days, and always the newest chain: a differential is useless without its full backup and every
# differential before it, so chains go whole or not at all. A backup whose type could not be read is
# kept with the chain before it, never counted as the start of one. Only artifacts this runner wrote
# (those in its catalog) are ever deleted.
apply_retention() {
  local db=$1 catalog="$STATE_DIR/catalog/$1.tsv" verdict epoch type file size
  retention_plan "$catalog" >"$catalog.plan"
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
    if ((OFFSITE)); then
      mkdir -p "$STATE_DIR/offsite"
      printf '%s\t%s\t%s\t%s\t%s\n' "$db" "$started" "$type" "$artifact" "$size" >>"$OFFSITE_PENDING"
    fi
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
    if ((OFFSITE)); then
      printf '  "offsite": {"location": %s, "lastAttemptAt": %s, "lastSuccessAt": %s, "lastResult": %s, "pendingArtifacts": %s, "message": %s},\n' \
        "$(json_string "s3://$OFFSITE_BUCKET/$OFFSITE_PREFIX")" \
        "$(json_time "$(state_get "$RUNNER_STATE" offsite_last_attempt_at)")" \
        "$(json_time "$(state_get "$RUNNER_STATE" offsite_last_success_at)")" \
        "$(json_string "$(state_get "$RUNNER_STATE" offsite_last_result)")" \
        "$(json_number "$(state_get "$RUNNER_STATE" offsite_pending)")" \
        "$(json_string "$(state_get "$RUNNER_STATE" offsite_message)")"
    fi
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
  ((OFFSITE)) || return 0
  value=$(state_get "$RUNNER_STATE" offsite_last_success_at)
  printf '# TYPE neo4j_backup_offsite_last_success_timestamp_seconds gauge\n'
  [[ -n $value ]] && printf 'neo4j_backup_offsite_last_success_timestamp_seconds %s\n' "$value"
  printf '# TYPE neo4j_backup_offsite_pending_artifacts gauge\nneo4j_backup_offsite_pending_artifacts %s\n' \
    "$(state_get "$RUNNER_STATE" offsite_pending | grep -E '^[0-9]+$' || echo 0)"
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

# ---------------------------------------------------------------------------------------------
# Copies off the host (OFFSITE=1): each artifact recorded as a success is queued, uploaded to an
# S3-compatible bucket, and listed in the bucket's own catalog (.runner/catalog/<db>.tsv under the
# prefix), where the same retention is applied. The client is bash and openssl alone: requests are
# signed with AWS Signature Version 4, HMAC computed here from sha256 so no key ever appears on a
# command line; https goes through `openssl s_client`, which verifies the server's certificate.

OFFSITE_PENDING="$STATE_DIR/offsite/pending.tsv"

sha256_hex() { sha256sum | cut -c1-64; }
hex_of() { od -An -v -tx1 | tr -d ' \n'; }
# Writes the bytes a hex string stands for.
bytes_of() {
  local hex=$1 escaped="" i
  for ((i = 0; i < ${#hex}; i += 2)); do escaped+="\\x${hex:i:2}"; done
  printf '%b' "$escaped"
}

# HMAC-SHA256 (RFC 2104) of a message under a key given as hex; prints hex.
hmac_sha256() {
  local key=$1 message=$2 inner outer byte i pad
  ((${#key} > 128)) && key=$(bytes_of "$key" | sha256_hex)
  while ((${#key} < 128)); do key+="0"; done
  inner="" outer=""
  for ((i = 0; i < 128; i += 2)); do
    byte=$((16#${key:i:2}))
    printf -v pad '\\x%02x' $((byte ^ 0x36))
    inner+=$pad
    printf -v pad '\\x%02x' $((byte ^ 0x5c))
    outer+=$pad
  done
  inner=$({ printf '%b' "$inner"; printf '%s' "$message"; } | sha256_hex)
  { printf '%b' "$outer"; bytes_of "$inner"; } | sha256_hex
}

# RFC 3986 encoding, as SigV4 wants it; `/` is kept in paths ($2 = path).
uri_encode() {
  local text=$1 keep_slash=${2:-} out="" c i
  for ((i = 0; i < ${#text}; i++)); do
    c=${text:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      /) if [[ -n $keep_slash ]]; then out+=$c; else out+=%2F; fi ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

offsite_credential() {
  local file="$OFFSITE_CREDENTIALS/$1"
  [[ -r $file ]] || { echo "offsite: cannot read the credential file $file" >&2; return 1; }
}

# One signed request: s3_request METHOD KEY QUERY BODY_FILE OUT_FILE, where QUERY is canonical
# already (sorted, encoded) and BODY_FILE may be empty. Prints the HTTP status (000 when no answer
# came); the body goes to OUT_FILE, the response headers to OUT_FILE.headers.
s3_request() {
  local method=$1 key=$2 query=$3 body=$4 out=$5
  local scheme=${OFFSITE_ENDPOINT%%://*} hostport=${OFFSITE_ENDPOINT#*://} host port path
  if ((OFFSITE_PATH_STYLE)); then
    path="/$OFFSITE_BUCKET/$key"
  else
    hostport="$OFFSITE_BUCKET.$hostport"
    path="/$key"
  fi
  host=${hostport%%:*}
  if [[ $hostport == *:* ]]; then port=${hostport##*:}; elif [[ $scheme == https ]]; then port=443; else port=80; fi
  offsite_credential access-key-id && offsite_credential secret-access-key || { echo 000; return 0; }
  local access_key secret_hex token="" amz_date day payload_hash length=0
  access_key=$(<"$OFFSITE_CREDENTIALS/access-key-id")
  # "AWS4" and the secret key, as hex: read from its file through a pipe, never on a command line.
  secret_hex=41575334$(hex_of <"$OFFSITE_CREDENTIALS/secret-access-key")
  [[ -r $OFFSITE_CREDENTIALS/session-token ]] && token=$(<"$OFFSITE_CREDENTIALS/session-token")
  amz_date=$(date -u +%Y%m%dT%H%M%SZ)
  day=${amz_date%%T*}
  if [[ -n $body ]]; then
    payload_hash=$(sha256_hex <"$body")
    length=$(stat -c %s "$body")
  else
    payload_hash=$(printf '' | sha256_hex)
  fi
  local canonical_uri canonical_headers signed_headers scope request_hash signing_key signature
  canonical_uri=$(uri_encode "$path" keep-slash)
  canonical_headers="host:$hostport"$'\n'"x-amz-content-sha256:$payload_hash"$'\n'"x-amz-date:$amz_date"$'\n'
  signed_headers="host;x-amz-content-sha256;x-amz-date"
  if [[ -n $token ]]; then
    canonical_headers+="x-amz-security-token:$token"$'\n'
    signed_headers+=";x-amz-security-token"
  fi
  scope="$day/$OFFSITE_REGION/s3/aws4_request"
  request_hash=$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$method" "$canonical_uri" "$query" "$canonical_headers" "$signed_headers" "$payload_hash" | sha256_hex)
  signing_key=$(hmac_sha256 "$secret_hex" "$day")
  signing_key=$(hmac_sha256 "$signing_key" "$OFFSITE_REGION")
  signing_key=$(hmac_sha256 "$signing_key" s3)
  signing_key=$(hmac_sha256 "$signing_key" aws4_request)
  signature=$(hmac_sha256 "$signing_key" "AWS4-HMAC-SHA256"$'\n'"$amz_date"$'\n'"$scope"$'\n'"$request_hash")
  local target=$canonical_uri
  [[ -n $query ]] && target+="?$query"
  {
    printf '%s %s HTTP/1.1\r\nHost: %s\r\nx-amz-date: %s\r\nx-amz-content-sha256: %s\r\n' \
      "$method" "$target" "$hostport" "$amz_date" "$payload_hash"
    [[ -n $token ]] && printf 'x-amz-security-token: %s\r\n' "$token"
    printf 'Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s\r\n' \
      "$access_key" "$scope" "$signed_headers" "$signature"
    printf 'Content-Length: %s\r\nConnection: close\r\n\r\n' "$length"
  } >"$out.request"
  : >"$out"
  # One exchange, bounded in time: a server that stops answering cannot hold the runner forever.
  timeout "${OFFSITE_TIMEOUT_SECONDS:-3600}" bash -c "$(declare -f s3_exchange read_response); s3_exchange \"\$@\"" \
    _ "$scheme" "$host" "$port" "$out.request" "$body" "$out" "$OFFSITE_CA_FILE" || echo 000
  rm -f "$out.request"
}

# Sends a request file (and a body file) and reads the answer, over TLS or plain TCP.
s3_exchange() {
  local scheme=$1 host=$2 port=$3 request=$4 body=$5 out=$6 ca_file=$7
  if [[ $scheme == https ]]; then
    command -v openssl >/dev/null || { echo "https needs openssl, which this image lacks" >"$out.tls"; echo 000; return 0; }
    local ca=()
    [[ -n $ca_file ]] && ca=(-CAfile "$ca_file")
    # -quiet prints nothing but the server's bytes and waits for it to close (Connection: close).
    cat "$request" ${body:+"$body"} |
      openssl s_client -quiet -connect "$host:$port" -servername "$host" -verify_return_error \
        -verify_hostname "$host" "${ca[@]}" 2>"$out.tls" | read_response "$out"
  else
    exec 3<>"/dev/tcp/$host/$port" 2>"$out.tls" || { echo 000; return 0; }
    cat "$request" ${body:+"$body"} >&3
    read_response "$out" <&3
    exec 3<&-
  fi
}

# An HTTP/1.1 response on stdin: prints the status; body to $1, headers to $1.headers. A chunked
# body is only ever a small XML document here (S3 sends a length with every object), so it is
# read as text.
read_response() {
  local out=$1 line status length="" chunked=0 size chunk
  IFS= read -r line || { echo 000; return 0; }
  status=${line#HTTP/1.? }
  status=${status%% *}
  : >"$out.headers"
  while IFS= read -r line; do
    line=${line%$'\r'}
    [[ -z $line ]] && break
    printf '%s\n' "$line" >>"$out.headers"
    case ${line,,} in
      content-length:*) length=${line#*:} length=${length//[!0-9]/} ;;
      transfer-encoding:*chunked*) chunked=1 ;;
    esac
  done
  if ((chunked)); then
    while IFS= read -r line; do
      line=${line%$'\r'}
      size=$((16#${line%%;*}))
      ((size == 0)) && break
      IFS= read -r -N "$size" chunk
      printf '%s' "$chunk" >>"$out"
      IFS= read -r line
    done
  elif [[ -n $length ]]; then
    head -c "$length" >"$out"
  else
    cat >"$out"
  fi
  echo "$status"
}

# S3's error, for the log: "403 SignatureDoesNotMatch: The request signature we calculated…".
s3_error() {
  local status=$1 out=$2 code message
  code=$(sed -n 's:.*<Code>\(.*\)</Code>.*:\1:p' "$out" 2>/dev/null | head -n 1)
  message=$(sed -n 's:.*<Message>\(.*\)</Message>.*:\1:p' "$out" 2>/dev/null | head -n 1 | sed 's/^<!\[CDATA\[\(.*\)\]\]>$/\1/')
  [[ $status == 000 ]] && message=$(tail -n 2 "$out.tls" 2>/dev/null | tr '\n' ' ')
  printf '%s %s%s' "$status" "${code:-no S3 error code}" "${message:+: $message}"
}

offsite_tmp() { mkdir -p "$STATE_DIR/offsite/tmp" && echo "$STATE_DIR/offsite/tmp/$BASHPID"; }

# Uploads a local file to KEY: in one PUT up to OFFSITE_PART_BYTES, in parts of that size above it
# (S3 takes at most 5 GiB in one PUT, and at most 10000 parts of at least 5 MiB but the last).
offsite_put() {
  local file=$1 key=$2 tmp status size
  size=$(stat -c %s "$file")
  if ((size > ${OFFSITE_PART_BYTES:-536870912})); then
    offsite_put_parts "$file" "$key" "$size"
    return
  fi
  tmp=$(offsite_tmp)
  status=$(s3_request PUT "$key" "" "$file" "$tmp")
  if [[ $status != 2?? ]]; then OFFSITE_ERROR="PUT $key: $(s3_error "$status" "$tmp")"; rm -f "$tmp"*; return 1; fi
  rm -f "$tmp"*
}

# A multipart upload: start it, send each part (a copy of that range, so it can be hashed and
# signed), complete it with the parts' ETags; on any failure abort it, so no parts linger (billed).
offsite_put_parts() {
  local file=$1 key=$2 size=$3 part=${OFFSITE_PART_BYTES:-536870912} tmp status id query n offset etag
  tmp=$(offsite_tmp)
  status=$(s3_request POST "$key" "uploads=" "" "$tmp")
  id=$(sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p' "$tmp" 2>/dev/null | head -n 1)
  if [[ $status != 2?? || -z $id ]]; then OFFSITE_ERROR="start a multipart upload of $key: $(s3_error "$status" "$tmp")"; rm -f "$tmp"*; return 1; fi
  local parts="<CompleteMultipartUpload>"
  for ((n = 1, offset = 0; offset < size; n++, offset += part)); do
    dd if="$file" of="$tmp.part" bs=4M iflag=skip_bytes,count_bytes skip="$offset" count="$part" status=none
    query="partNumber=$n&uploadId=$(uri_encode "$id")"
    status=$(s3_request PUT "$key" "$query" "$tmp.part" "$tmp")
    etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$tmp.headers" 2>/dev/null | tr -d '\r' | head -n 1)
    if [[ $status != 2?? || -z $etag ]]; then
      OFFSITE_ERROR="PUT part $n of $key: $(s3_error "$status" "$tmp")"
      offsite_abort "$key" "$id" "$tmp"
      return 1
    fi
    parts+="<Part><PartNumber>$n</PartNumber><ETag>$etag</ETag></Part>"
  done
  printf '%s</CompleteMultipartUpload>' "$parts" >"$tmp.parts"
  status=$(s3_request POST "$key" "uploadId=$(uri_encode "$id")" "$tmp.parts" "$tmp")
  # S3 may answer 200 and still report an error in the body.
  if [[ $status != 2?? ]] || grep -q '<Error>' "$tmp"; then
    OFFSITE_ERROR="complete the multipart upload of $key: $(s3_error "$status" "$tmp")"
    offsite_abort "$key" "$id" "$tmp"
    return 1
  fi
  rm -f "$tmp"*
}

offsite_abort() {
  local key=$1 id=$2 tmp=$3
  s3_request DELETE "$key" "uploadId=$(uri_encode "$id")" "" "$tmp.abort" >/dev/null
  rm -f "$tmp"*
}

# Downloads KEY into FILE; returns 2 when the object does not exist.
offsite_get() {
  local key=$1 file=$2 status
  status=$(s3_request GET "$key" "" "" "$file.part")
  if [[ $status == 404 ]]; then rm -f "$file.part"*; return 2; fi
  if [[ $status != 2?? ]]; then OFFSITE_ERROR="GET $key: $(s3_error "$status" "$file.part")"; rm -f "$file.part"*; return 1; fi
  mv "$file.part" "$file"
  rm -f "$file.part"*
}

offsite_delete() {
  local key=$1 tmp status
  tmp=$(offsite_tmp)
  status=$(s3_request DELETE "$key" "" "" "$tmp")
  if [[ $status != 2?? && $status != 404 ]]; then OFFSITE_ERROR="DELETE $key: $(s3_error "$status" "$tmp")"; rm -f "$tmp"*; return 1; fi
  rm -f "$tmp"*
}

offsite_catalog_key() { printf '%s.runner/catalog/%s.tsv' "$OFFSITE_PREFIX" "$1"; }

# Uploads the queued artifacts of every database, then brings each bucket catalog up to date and
# applies retention to it. A queued artifact leaves the queue only once the bucket's catalog lists
# it, so nothing is uploaded and then forgotten. Returns non-zero when anything is left to do.
offsite_sync() {
  local dir="$STATE_DIR/offsite" db failures=0 started
  mkdir -p "$dir"
  [[ -s $OFFSITE_PENDING ]] || { state_set "$RUNNER_STATE" offsite_pending 0; return 0; }
  started=$(now)
  for db in $(cut -f1 "$OFFSITE_PENDING" | sort -u); do
    offsite_sync_database "$db" || failures=$((failures + 1))
  done
  local pending
  pending=$(grep -c . "$OFFSITE_PENDING" 2>/dev/null || true)
  state_set "$RUNNER_STATE" offsite_pending "${pending:-0}"
  state_set "$RUNNER_STATE" offsite_last_attempt_at "$started"
  if ((failures == 0)); then
    state_set "$RUNNER_STATE" offsite_last_success_at "$started"
    state_set "$RUNNER_STATE" offsite_last_result success
    state_set "$RUNNER_STATE" offsite_message ok
    return 0
  fi
  state_set "$RUNNER_STATE" offsite_last_result failure
  state_set "$RUNNER_STATE" offsite_message "$OFFSITE_ERROR"
  return 1
}

offsite_sync_database() {
  local db=$1 dir="$STATE_DIR/offsite" catalog verdict epoch type file size ok=1
  catalog="$dir/$db.tsv"
  OFFSITE_ERROR=""
  offsite_get "$(offsite_catalog_key "$db")" "$catalog"
  case $? in
    0) ;;
    2) : >"$catalog" ;;
    *) log "offsite database=$db result=failure reason=\"$OFFSITE_ERROR\"" | tee -a "$RUN_LOG"; return 1 ;;
  esac
  : >"$dir/$db.uploaded"
  while IFS=$'\t' read -r -u 4 _ epoch type file size; do
    if [[ ! -f $BACKUP_ROOT/$file ]]; then
      log "offsite database=$db skipped=$file reason=\"gone from $BACKUP_ROOT before it was copied\"" | tee -a "$RUN_LOG"
      printf '%s\n' "$file" >>"$dir/$db.uploaded"
      continue
    fi
    if offsite_put "$BACKUP_ROOT/$file" "$OFFSITE_PREFIX$file"; then
      printf '%s\n' "$file" >>"$dir/$db.uploaded"
      # One line per artifact: an upload repeated after a failed catalog write is listed once.
      awk -F'\t' -v f="$file" '$3 != f' "$catalog" >"$catalog.next"
      printf '%s\t%s\t%s\t%s\n' "$epoch" "$type" "$file" "$size" >>"$catalog.next"
      sort -n -k1,1 -s "$catalog.next" >"$catalog"
      rm -f "$catalog.next"
      log "offsite database=$db uploaded=$file size_bytes=$size to=s3://$OFFSITE_BUCKET/$OFFSITE_PREFIX$file" | tee -a "$RUN_LOG"
    else
      ok=0
      log "offsite database=$db result=failure artifact=$file reason=\"$OFFSITE_ERROR\"" | tee -a "$RUN_LOG"
      break
    fi
  done 4< <(awk -F'\t' -v db="$db" '$1 == db' "$OFFSITE_PENDING")
  # The same retention as on the volume, judged on the bucket's own catalog.
  retention_plan "$catalog" >"$catalog.plan"
  : >"$catalog.next"
  while IFS=$'\t' read -r -u 4 verdict epoch type file size; do
    if [[ $verdict == drop ]] && offsite_delete "$OFFSITE_PREFIX$file"; then
      log "offsite retention database=$db deleted=s3://$OFFSITE_BUCKET/$OFFSITE_PREFIX$file type=$type taken=$(iso "$epoch")" | tee -a "$RUN_LOG"
    else
      [[ $verdict == drop ]] && { ok=0; log "offsite retention database=$db result=failure reason=\"$OFFSITE_ERROR\"" | tee -a "$RUN_LOG"; }
      printf '%s\t%s\t%s\t%s\n' "$epoch" "$type" "$file" "$size" >>"$catalog.next"
    fi
  done 4<"$catalog.plan"
  mv "$catalog.next" "$catalog"
  rm -f "$catalog.plan"
  if offsite_put "$catalog" "$(offsite_catalog_key "$db")"; then
    # Only now are the uploads recorded in the bucket: they leave the queue.
    # (The temporary name is taken here: in a command's own redirection $BASHPID is the child's.)
    local next="$OFFSITE_PENDING.$BASHPID"
    awk -F'\t' -v db="$db" 'FILENAME == ARGV[1] { done[$1] = 1; next } !($1 == db && ($4 in done))' \
      "$dir/$db.uploaded" "$OFFSITE_PENDING" >"$next"
    mv "$next" "$OFFSITE_PENDING"
  else
    ok=0
    log "offsite database=$db result=failure reason=\"$OFFSITE_ERROR\"" | tee -a "$RUN_LOG"
  fi
  rm -f "$dir/$db.uploaded"
  ((ok))
}

# The bucket's catalog of a database, as restore reads it: "<epoch>\t<type>\t<file>\t<size>".
offsite_catalog() {
  local db=$1 file
  valid_database_name "$db" || { echo "not a database name: $db" >&2; return 64; }
  file=$(offsite_tmp).catalog
  offsite_get "$(offsite_catalog_key "$db")" "$file"
  case $? in
    0) cat "$file"; rm -f "$file" ;;
    2) echo "the bucket has no catalog for $db at s3://$OFFSITE_BUCKET/$(offsite_catalog_key "$db")" >&2; return 1 ;;
    *) echo "offsite: $OFFSITE_ERROR" >&2; return 1 ;;
  esac
}

# Downloads artifacts from the bucket into a folder, for a restore.
offsite_fetch() {
  local into=$1 file
  shift
  mkdir -p "$into"
  for file in "$@"; do
    [[ $file =~ ^[A-Za-z0-9][A-Za-z0-9._-]*\.backup$ ]] || { echo "not an artifact name: $file" >&2; return 64; }
    if ! offsite_get "$OFFSITE_PREFIX$file" "$into/$file"; then
      echo "offsite: could not download $file: ${OFFSITE_ERROR:-no such object s3://$OFFSITE_BUCKET/$OFFSITE_PREFIX$file}" >&2
      return 1
    fi
    log "offsite downloaded=$file size_bytes=$(stat -c %s "$into/$file") into=$into"
  done
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
  # A backup that has not reached the bucket is not done: the run fails (and health follows) until it has.
  if ((OFFSITE)) && ! offsite_sync; then
    log "offsite copy incomplete: $(state_get "$RUNNER_STATE" offsite_pending) artifact(s) wait for the next run"
    RUN_FAILURES=$((RUN_FAILURES + 1))
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

# Sourced (by the tests of its pure functions: signing, encoding, retention), it only defines them.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

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
  offsite-sync | offsite-catalog | offsite-fetch)
    ((OFFSITE)) || { echo "this runner copies nothing off the host (BackupVolume has no offsite argument)" >&2; exit 64; }
    case $command in
      offsite-sync)
        drop_privileges "$@"
        mkdir -p "$STATE_DIR"
        exec 9>"$STATE_DIR/lock"
        flock 9
        offsite_sync
        status=$?
        write_status
        exit $status
        ;;
      offsite-catalog) offsite_catalog "${2:-}" ;;
      offsite-fetch) offsite_fetch "${2:?usage: runner.sh offsite-fetch <folder> <artifact>...}" "${@:3}" ;;
    esac
    ;;
  *)
    echo "usage: runner.sh run|run-once|health|status|next-run <unix-time>|databases|forget <database>|push-metrics|offsite-sync|offsite-catalog <database>|offsite-fetch <folder> <artifact>..." >&2
    exit 64
    ;;
esac
