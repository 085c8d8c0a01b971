#!/usr/bin/env bash
# A local AWS for integration tests and demos: moto's server with the plugin of
# scripts/local-aws/ (CloudFormation types and behaviour bs's stacks need).
#
#   scripts/local-aws.sh start    # start in the background; prints `export ...` lines
#   scripts/local-aws.sh status   # exit 0 if it runs and answers, 1 otherwise
#   scripts/local-aws.sh stop     # stop the server this directory started
#
#   eval "$(scripts/local-aws.sh start)"   # point the AWS CLI/SDKs at it
#
# Environment:
#   LOCAL_AWS_PORT        port on 127.0.0.1 (default 4566)
#   LOCAL_AWS_DIR         pid and log files (default <repo>/.local-aws); one server per dir
#   LOCAL_AWS_REGION      region printed for AWS_REGION/AWS_DEFAULT_REGION (default us-east-1)
#   LOCAL_AWS_ACCOUNT_ID  account every request acts in (moto's MOTO_ACCOUNT_ID;
#                         default moto's 123456789012)
#   LOCAL_AWS_START_TIMEOUT  seconds to wait for the server to answer (default 30)
#   LOCAL_AWS_ENFORCE_IAM    1: a stack's CloudFormation role must allow its resources'
#                            handler actions (passed to the server; default off)
#
# Progress goes to stderr; stdout carries only the eval-able lines. See docs/local-aws.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
host=127.0.0.1
port="${LOCAL_AWS_PORT:-4566}"
dir="${LOCAL_AWS_DIR:-$root/.local-aws}"
region="${LOCAL_AWS_REGION:-us-east-1}"
timeout="${LOCAL_AWS_START_TIMEOUT:-30}"
pidfile="$dir/server.pid"
logfile="$dir/server.log"
endpoint="http://$host:$port"

say() { echo "local-aws: $*" >&2; }

usage() {
  echo "usage: scripts/local-aws.sh start|stop|status" >&2
  exit 2
}

[[ "$port" =~ ^[0-9]+$ ]] || { say "LOCAL_AWS_PORT must be a port number, got '$port'"; exit 2; }

# The pid in the pid file, if that process is alive and is our launcher.
server_pid() {
  local pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "scripts/local-aws/launcher.py" || return 1
  echo "$pid"
}

# Whether something answers HTTP on the endpoint (bash's /dev/tcp: no curl needed).
answers() {
  (
    exec 3<>"/dev/tcp/$host/$port" || exit 1
    printf 'GET /moto-api/ HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$host" "$port" >&3
    IFS= read -r -t 5 reply <&3 || exit 1
    [[ "$reply" == HTTP/* ]]
  ) 2>/dev/null
}

print_env() {
  printf 'export AWS_ENDPOINT_URL=%q\n' "$endpoint"
  printf 'export AWS_ACCESS_KEY_ID=%q\n' test
  printf 'export AWS_SECRET_ACCESS_KEY=%q\n' test
  printf 'export AWS_REGION=%q\n' "$region"
  printf 'export AWS_DEFAULT_REGION=%q\n' "$region"
  # The local AWS creates or updates a whole stack inside ExecuteChangeSet (AWS
  # answers at once and works after): give the tools' calls minutes, not 30 s.
  printf 'export BS_CALL_TIMEOUT=%q\n' "${BS_CALL_TIMEOUT:-300}"
}

log_tail() {
  if [[ -f "$logfile" ]]; then
    say "last lines of $logfile:"
    tail -n 30 "$logfile" >&2
  fi
}

start() {
  local pid bin waited=0
  if pid="$(server_pid)"; then
    if answers; then
      say "already running (pid $pid) at $endpoint"
      print_env
      return 0
    fi
    say "pid $pid from $pidfile does not answer at $endpoint; stop it first (scripts/local-aws.sh stop)"
    return 1
  fi
  rm -f "$pidfile"
  if answers; then
    say "something else already answers at $endpoint; choose another LOCAL_AWS_PORT"
    return 1
  fi
  bin="$("$root/scripts/python-tools.sh" local-aws)"
  mkdir -p "$dir"
  say "starting moto + plugin at $endpoint (log: $logfile)"
  (
    export MOTO_ACM_VALIDATION_WAIT="${MOTO_ACM_VALIDATION_WAIT:-0}"
    if [[ -n "${LOCAL_AWS_ACCOUNT_ID:-}" ]]; then
      export MOTO_ACCOUNT_ID="$LOCAL_AWS_ACCOUNT_ID"
    fi
    if [[ -n "${LOCAL_AWS_ENFORCE_IAM:-}" ]]; then
      export LOCAL_AWS_ENFORCE_IAM
    fi
    exec nohup "$bin/python" "$root/scripts/local-aws/launcher.py" --host "$host" --port "$port" \
      > "$logfile" 2>&1 < /dev/null
  ) &
  pid=$!
  echo "$pid" > "$pidfile"
  # Poll every 0.2 s, up to $timeout seconds.
  while (( waited < timeout * 5 )); do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "the server exited during start-up"
      rm -f "$pidfile"
      log_tail
      return 1
    fi
    if answers; then
      say "running (pid $pid) at $endpoint"
      print_env
      return 0
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  say "no answer at $endpoint after ${timeout}s; stopping pid $pid"
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  log_tail
  return 1
}

stop() {
  local pid waited=0
  if ! pid="$(server_pid)"; then
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( waited < 50 )); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop on SIGTERM within 10s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$pidfile"
  say "stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(server_pid)" && answers; then
    say "running (pid $pid) at $endpoint"
    return 0
  fi
  say "not running (dir $dir, port $port)"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
