#!/bin/sh
# man.sh - every man page passes mandoc -Tlint (warnings count as failures).
passed=0
failed=0
for m in man/*.[1-9]; do
	[ -f "$m" ] || continue
	if out=$(mandoc -Tlint -Wwarning "$m" 2>&1) && [ -z "$out" ]; then
		passed=$((passed + 1))
	else
		echo "FAIL $m"
		echo "$out"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
