#!/bin/sh
# format.sh - the C sources are formatted as .clang-format says (one check per file).
passed=0
failed=0
for f in src/*/*.c src/*/*.h tests/*.c tests/*.h tests/unit/*.c; do
	[ -f "$f" ] || continue
	if clang-format --dry-run --Werror "$f" > /dev/null 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL $f is not formatted (make format)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
