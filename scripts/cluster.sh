#!/usr/bin/env bash
# Several Hearth replicas behind HAProxy, with conversation affinity (deploy/haproxy/hearth.cfg,
# docs/scaling.md).
#
#   scripts/cluster.sh run N [-- HEARTH-FLAGS…]    start N replicas and HAProxy in front; Ctrl-C stops all
#   scripts/cluster.sh config N PORT [HOST…]       print the HAProxy configuration for N replicas
#                                                  on HOST (one per replica, or one for all) at
#                                                  PORT+1 … PORT+N, named r1 … rN
#
# `run` (what `make cluster N=3` calls) serves on HEARTH_CLUSTER_BIND (default 127.0.0.1:5000);
# replica i listens on 127.0.0.1:(5000+i) with HEARTH_THREADS threads (default: the cores shared
# out), `--replica-name ri`, `--drain-seconds 60`, `--metrics` and one shared `--responses-dir`
# (.build/cluster/responses). HAProxy is Debian's, installed with apt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

config() {
    local count=$1 port=$2
    shift 2
    local hosts=("${@:-127.0.0.1}")
    sed '/# replicas: begin/,/# replicas: end/d' deploy/haproxy/hearth.cfg
    echo "    # replicas: begin"
    for i in $(seq 1 "$count"); do
        echo "    use-server r$i if { var(txn.previous) -m beg resp_r${i}_ } || { path_beg /v1/responses/resp_r${i}_ }"
    done
    for i in $(seq 1 "$count"); do
        local host=${hosts[$(((i - 1) % ${#hosts[@]}))]}
        [ ${#hosts[@]} -gt 1 ] && echo "    server r$i $host:$port" || echo "    server r$i $host:$((port + i))"
    done
    echo "    # replicas: end"
}

case "${1:-}" in
config)
    [ $# -ge 3 ] || { echo "usage: $0 config N PORT [HOST…]" >&2; exit 2; }
    count=$2 port=$3
    shift 3
    config "$count" "$port" "$@"
    ;;
run)
    count=${2:-3}
    shift 2 || shift $#
    [ "${1:-}" = "--" ] && shift
    scripts/apt_install.sh "for the cluster" haproxy
    binary=${HEARTH_BIN:-.build/release/hearth}
    threads=${HEARTH_THREADS:-$(( $(nproc) / count > 0 ? $(nproc) / count : 1 ))}
    folder=.build/cluster
    mkdir -p "$folder/responses"
    config "$count" 5000 > "$folder/haproxy.cfg"
    pids=()
    stop() {
        # SIGTERM: each replica drains (health 503, running generations finish) and exits 0.
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    }
    trap stop EXIT INT TERM
    for i in $(seq 1 "$count"); do
        "$binary" --api-port $((5000 + i)) --threads "$threads" --replica-name "r$i" --drain-seconds 60 --metrics \
            --responses-dir "$folder/responses" "$@" > "$folder/r$i.log" 2>&1 &
        pids+=($!)
    done
    export HEARTH_CLUSTER_BIND=${HEARTH_CLUSTER_BIND:-127.0.0.1:5000}
    echo "cluster: $count replicas ($threads threads each, logs in $folder/), HAProxy on $HEARTH_CLUSTER_BIND" >&2
    haproxy -db -f "$folder/haproxy.cfg" &
    pids+=($!)
    wait -n "${pids[@]}"
    ;;
*)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
