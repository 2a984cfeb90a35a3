#!/bin/sh
# fuzz.sh - build the fuzz targets (clang with libFuzzer, ASan and UBSan; Debian's
# clang and libclang-rt-14-dev) and run each over its seed corpus, then mutating for
# FUZZTEST seconds (default 20), two targets at a time: with 24 targets about four
# minutes, plus under a minute to build. Any crash, sanitizer report or
# broken invariant fails its target.
. tests/lib.sh
B=${B:-build/$(sed -n 1p conf-qmail | tr / _)}
fz=build/fuzz${B#build/}
names=$(for f in tests/fuzz/*.c; do basename "$f" .c; done | grep -vx driver)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! command -v clang > /dev/null; then
	fail "clang not found: install clang and libclang-rt-14-dev"
	finish
fi
if make --no-print-directory -j2 FZ="$fz" fuzz-build > "$out" 2>&1; then
	ok "fuzz targets built in $fz"
else
	fail "fuzz targets do not build (make fuzz-build)"
	grep -E 'error|undefined' "$out" | head -n 20
	finish
fi
# shellcheck disable=SC2086
FUZZFRESH=1 sh tests/fuzz/run.sh "$fz" "${FUZZTEST:-20}" $names > "$out" 2>&1
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*" passed, "*" failed") ;;
	*) echo "$line" ;;
	esac
done < "$out"
finish
