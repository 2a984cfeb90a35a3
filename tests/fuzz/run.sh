#!/bin/sh
# run.sh - run libFuzzer targets: each first over its seed corpus (tests/fuzz/NAME/),
# then mutating until SECONDS have passed. Prints "ok NAME" or "FAIL NAME" for each
# target, then "N passed, N failed"; exit 1 on any finding.
# usage: sh tests/fuzz/run.sh FZ SECONDS NAME...   (make fuzz, tests/sys/fuzz.sh)
# Everything is written under FZ, never into tests/fuzz: the corpus grows in
# FZ/corpus/NAME (kept between runs; FUZZFRESH=1 starts again from the seeds), a
# finding is saved as FZ/crash/NAME-*, the output is in FZ/log/NAME.log.
# FUZZJOBS targets (default 2) run at the same time.
fz=$1
secs=$2
shift 2
jobs=${FUZZJOBS:-2}
mkdir -p "$fz/corpus" "$fz/crash" "$fz/log" || exit 1

# one NAME - run one target; its exit code goes to FZ/log/NAME.rc
one() {
	c=$fz/corpus/$1
	[ "${FUZZFRESH:-0}" = 1 ] && rm -rf "$c"
	mkdir -p "$c"
	if [ -d "tests/fuzz/$1" ]; then
		cp tests/fuzz/"$1"/* "$c"/ 2> /dev/null
	fi
	"$fz/$1" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$fz/crash/$1-" -print_final_stats=1 "$c" > "$fz/log/$1.log" 2>&1
	echo $? > "$fz/log/$1.rc"
}

n=0
for t in "$@"; do
	rm -f "$fz/log/$t.rc"
	one "$t" &
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		wait
		n=0
	fi
done
wait

passed=0
failed=0
for t in "$@"; do
	rc=$(cat "$fz/log/$t.rc" 2> /dev/null)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$fz/log/$t.log" | tail -n 1)
	if [ "$rc" = 0 ]; then
		echo "ok $t (${runs:-?} runs in ${secs}s)"
		passed=$((passed + 1))
	else
		echo "FAIL $t: exit ${rc:-?}, see $fz/log/$t.log"
		grep -E 'ERROR|invariant broken|runtime error|Test unit written' "$fz/log/$t.log" |
			head -n 5
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
