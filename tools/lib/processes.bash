# Background processes for the scripts in tools/: start, wait until ready, measure, stop. Linux (/proc).
#
# Source it from a script that runs under `set -euo pipefail`, and stop what it started on the way out:
#
#   source tools/lib/processes.bash
#   trap stop_all EXIT
#   start_process server_pid "$log" .build/release/tickstream serve --port 0
#   url=$(wait_for_websocket_url "$server_pid" "$log" 30)
#   wait_for_url "$(http_base "$url")/readyz" 30 "$server_pid"
#   stop_process "$server_pid" 15 || echo "server exited with $?"
#
# Every wait is bounded and fails with a message that names the process and shows the end of its log.

# The processes started here, oldest first, with a name and a log each; stopped ones are removed.
managed_pids=()
declare -A managed_names=()
declare -A managed_logs=()

# start_process VAR LOG COMMAND [ARGUMENT...]: runs COMMAND in the background with its output in LOG, and stores
# its pid in the variable named VAR. The process is named after VAR's value in messages (e.g. gateway_1_pid → gateway_1).
start_process() {
  local variable=$1 log=$2
  shift 2
  : >"$log"
  "$@" >"$log" 2>&1 &
  local pid=$!
  managed_pids+=("$pid")
  managed_names[$pid]=${variable%_pid}
  managed_logs[$pid]=$log
  printf -v "$variable" '%s' "$pid"
}

# process_name PID: the name start_process gave it.
process_name() { echo "${managed_names[$1]:-pid $1}"; }

# is_running PID: whether the process exists and has not exited (an exited, unreaped child is a zombie).
is_running() {
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# fail_with_log PID MESSAGE: prints MESSAGE and the end of the process's log on standard error, and fails.
fail_with_log() {
  local pid=$1 message=$2 log=${managed_logs[$1]:-}
  echo "${script_name:-$0}: $(process_name "$pid"): $message" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "--- last lines of $log" >&2
    tail -n 30 "$log" >&2
  fi
  return 1
}

# wait_for_output PID LOG SED_SCRIPT SECONDS: prints the first line `sed -n SED_SCRIPT` makes of LOG once there is
# one; fails if the process exits first or after SECONDS.
wait_for_output() {
  local pid=$1 log=$2 script=$3 seconds=$4 deadline output
  deadline=$((SECONDS + seconds))
  while :; do
    output=$(sed -n "$script" "$log" | head -n 1)
    [ -z "$output" ] || { echo "$output"; return 0; }
    is_running "$pid" || { fail_with_log "$pid" "exited while starting"; return 1; }
    ((SECONDS < deadline)) || { fail_with_log "$pid" "not ready after $seconds s"; return 1; }
    sleep 0.1
  done
}

# wait_for_websocket_url PID LOG SECONDS: the WebSocket URL that `serve` or `gateway` prints once it listens.
wait_for_websocket_url() { wait_for_output "$1" "$2" 's/^WebSocket: *\(ws:[^ ]*\).*/\1/p' "$3"; }

# http_base WS_URL: the server's HTTP address (http://host:port) for the WebSocket URL it printed.
http_base() {
  local http=${1/#ws:/http:}
  echo "${http%/v1/ws}"
}

# wait_for_kafka_bootstrap PID LOG SECONDS: the bootstrap address that `tickstream kafka` prints once it listens.
wait_for_kafka_bootstrap() { wait_for_output "$1" "$2" 's/^Kafka: *\([^ ]*\).*/\1/p' "$3"; }

# wait_for_url URL SECONDS [PID]: waits until URL answers 2xx; fails after SECONDS, or as soon as PID exits.
wait_for_url() {
  local url=$1 seconds=$2 pid=${3:-} deadline
  deadline=$((SECONDS + seconds))
  until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
    if [ -n "$pid" ] && ! is_running "$pid"; then
      fail_with_log "$pid" "exited before $url answered"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      if [ -n "$pid" ]; then fail_with_log "$pid" "$url did not answer within $seconds s"; else echo "$url did not answer within $seconds s" >&2; fi
      return 1
    fi
    sleep 0.2
  done
}

# stop_process PID [SECONDS] [SIGNAL]: sends SIGNAL (default TERM), waits up to SECONDS (default 15) for the
# process to exit, then kills it; returns its exit status (non-zero when it had to be killed).
stop_process() {
  kill "-${3:-TERM}" "$1" 2>/dev/null || true
  wait_process "$1" "${2:-15}"
}

# wait_process PID SECONDS: waits up to SECONDS for the process to exit on its own, then kills it; returns its
# exit status (non-zero when it had to be killed).
wait_process() {
  local pid=$1 seconds=$2 deadline status=0
  deadline=$((SECONDS + seconds))
  while is_running "$pid" && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if is_running "$pid"; then
    echo "${script_name:-$0}: $(process_name "$pid") still running after $seconds s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || status=$?
  forget_process "$pid"
  return "$status"
}

# forget_process PID: no longer stopped by stop_all.
forget_process() {
  local kept=() pid
  for pid in "${managed_pids[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  managed_pids=("${kept[@]+"${kept[@]}"}")
}

# stop_all: stops every process still managed, newest first; for an EXIT trap.
stop_all() {
  local index
  for ((index = ${#managed_pids[@]} - 1; index >= 0; index--)); do
    stop_process "${managed_pids[index]}" 10 || true
  done
}

# cpu_ticks PID: user + system CPU time of the process so far, in clock ticks (getconf CLK_TCK per second).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# machine_busy_ticks: the clock ticks all cores spent busy since boot (user, nice, system, irq, softirq, steal).
machine_busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# status_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM).
status_kb() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"; }
