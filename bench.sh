#!/usr/bin/env bash
# Reproduces the performance figures of the README on a machine with
# MariaDB (root, no password, 127.0.0.1:3306) and Redis (127.0.0.1:6379):
#   bash bench.sh            # full size
#   QUICK=1 bash bench.sh    # a short smoke run
#   SKIP_RELIABILITY=1 ...   # without the full-size reliability figures
# It starts jinqiu serve and the baseline server itself and stops only them.
set -euo pipefail
cd "$(dirname "$0")"
GROUPS_N=${GROUPS_N:-100}
MEMBERS=${MEMBERS:-20}
DUR=${DUR:-30s}
CLOSED_N=${CLOSED_N:-40000}
if [ -n "${QUICK:-}" ]; then DUR=5s; CLOSED_N=5000; fi
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

go build -o "$work/jinqiu" ./cmd/jinqiu
go build -o "$work/jinqiu-bench" ./cmd/jinqiu-bench
J="$work/jinqiu"
JB="$work/jinqiu-bench"
mysql_db() { mariadb -uroot -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"; }
wait_up() { for _ in $(seq 1 100); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; $(go version)"

# jinqiu on MariaDB + Redis
mysql_db jinqiu_bench
"$JB" config --groups "$GROUPS_N" --listen 127.0.0.1:8080 \
  --dsn 'root@tcp(127.0.0.1:3306)/jinqiu_bench' --sink http://127.0.0.1:9301 > "$work/bench.yaml"
"$J" serve --config "$work/bench.yaml" 2>"$work/serve.log" & pids+=($!)
wait_up http://127.0.0.1:8080/readyz
"$JB" run --config "$work/bench.yaml" --target http://127.0.0.1:8080 --members "$MEMBERS" --setup
echo "== jinqiu, open loop at 500/s for $DUR"
"$JB" run --config "$work/bench.yaml" --target http://127.0.0.1:8080 --members "$MEMBERS" --rate 500 --duration "$DUR" --seed 2
echo "== jinqiu, open loop at 1000/s for $DUR"
"$JB" run --config "$work/bench.yaml" --target http://127.0.0.1:8080 --members "$MEMBERS" --rate 1000 --duration "$DUR" --seed 3
echo "== jinqiu, closed loop (maximum)"
"$JB" run --config "$work/bench.yaml" --target http://127.0.0.1:8080 --members "$MEMBERS" --closed 64 --n "$CLOSED_N" --seed 4
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

# the baseline: verify, decrypt, one insert
mysql_db jinqiu_baseline
sed 's#/jinqiu_bench#/jinqiu_baseline#; s#127.0.0.1:8080#127.0.0.1:8091#' "$work/bench.yaml" > "$work/baseline.yaml"
"$JB" baseline --config "$work/baseline.yaml" --listen 127.0.0.1:8091 2>"$work/baseline.log" & pids+=($!)
sleep 1
echo "== baseline, closed loop (maximum)"
"$JB" run --config "$work/baseline.yaml" --target http://127.0.0.1:8091 --members "$MEMBERS" --closed 64 --n "$CLOSED_N" --seed 4
echo "== baseline, open loop at 500/s for $DUR"
"$JB" run --config "$work/baseline.yaml" --target http://127.0.0.1:8091 --members "$MEMBERS" --rate 500 --duration "$DUR" --seed 2

kill "${pids[0]}" 2>/dev/null || true; wait 2>/dev/null || true; pids=()

# The reliability figures at the full sizes of RELIABILITY.md §6 (about 5
# minutes); SKIP_RELIABILITY=1 leaves them out.
if [ -z "${SKIP_RELIABILITY:-}" ]; then
  echo "== reliability, full sizes"
  JINQIU_RELIABILITY_FULL=1 JINQIU_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' \
    JINQIU_TEST_REDIS_ADDR=127.0.0.1:6379 JINQIU_REQUIRE_SERVICES=1 \
    go test -count=1 -timeout 50m -v ./reliability/ | grep -E '^(F[0-9]+|--- FAIL|ok|FAIL)'
fi
