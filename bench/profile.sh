#!/usr/bin/env bash
# bench/profile.sh BINARY NAME: one 150 MB upload under `perf record -g` against `attache serve`
# (the same binary, --no-limits) on loopback, after one unprofiled run; prints where the CPU went.
# PROFILE_DIR (default /tmp/attache-profile) keeps perf.data and the file.
set -euo pipefail
BIN=$1; NAME=$2; W=${PROFILE_DIR:-/tmp/attache-profile}/$NAME; rm -rf $W; mkdir -p $W
mkdir -p ${PROFILE_DIR:-/tmp/attache-profile}
[ -f ${PROFILE_DIR:-/tmp/attache-profile}/file150 ] || head -c 150000000 /dev/urandom > ${PROFILE_DIR:-/tmp/attache-profile}/file150
$BIN serve --port 0 --no-limits --quiet --data-dir $W/data --state-dir $W/sstate > $W/serve.out 2>&1 &
SP=$!
for i in $(seq 100); do grep -q "graph root" $W/serve.out 2>/dev/null && break; sleep 0.1; done
ROOT=$(grep "graph root" $W/serve.out | awk '{print $3}')
ITEM=$($BIN ls messages --graph $ROOT --token attache-dev-token --state-dir $W/state --json | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])')
# warm: once unprofiled
$BIN upload ${PROFILE_DIR:-/tmp/attache-profile}/file150 --message $ITEM --graph $ROOT --token attache-dev-token --state-dir $W/state --json > /dev/null
perf record -F 999 -g -o $W/perf.data -- $BIN upload ${PROFILE_DIR:-/tmp/attache-profile}/file150 --message $ITEM --graph $ROOT --token attache-dev-token --state-dir $W/state --json > $W/up.json 2> $W/perf.err
kill $SP; wait $SP 2>/dev/null || true
perf report -i $W/perf.data --no-children --sort sym --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -25 > $W/top.txt
perf report -i $W/perf.data --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -8
grep -o '([0-9]* samples)' $W/perf.err || true
cat $W/top.txt
