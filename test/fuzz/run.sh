#!/usr/bin/env bash
# test/fuzz/run.sh -- fuzz the extension's text parsers (isms.clause and
# isms.rating input) with libFuzzer + ASan + UBSan for a fixed budget:
#
#   bash test/fuzz/run.sh [seconds per target, default 60]
#
# Builds test/fuzz (make -C test/fuzz), runs each target from its corpus in
# test/fuzz/corpus/<type>/, then merges what it found back into that corpus
# (libFuzzer -merge=1 keeps only inputs that add coverage, so it stays
# small).  Prints, per target, executions and corpus size; exits non-zero
# on a crash, leak or sanitizer report (the reproducer is left in the work
# directory).  Installs clang and libFuzzer (Debian clang, libclang-rt-dev)
# when missing; if that is impossible (not root, no network) it says so and
# exits 77, which test/run.sh reports as skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
budget=${1:-60}

if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-dev >/dev/null 2>&1 ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null 2>&1
	fi
	echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
		clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null ||
		{ echo "fuzz: clang with libFuzzer is not available: skipped"; exit 77; }
fi

make -s -C "$here" >/dev/null || { echo "fuzz: build failed" >&2; exit 1; }
work=$(mktemp -d /tmp/isms27022.fuzz.XXXXXX)
status=0
for t in clause rating; do
	mkdir -p "$work/$t" "$here/corpus/$t"
	cp "$here/corpus/$t"/* "$work/$t/" 2>/dev/null
	if ! (cd "$work" && "$here/fuzz_$t" -max_total_time="$budget" -max_len=2048 -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 "$work/$t" >"$work/$t.log" 2>&1); then
		echo "fuzz: $t FAILED, see $work/$t.log:" >&2
		grep -E "ERROR|SUMMARY|Test unit written" "$work/$t.log" >&2
		status=1
		continue
	fi
	"$here/fuzz_$t" -merge=1 -max_len=2048 "$here/corpus/$t" "$work/$t" >/dev/null 2>&1
	echo "fuzz: $t ok: $(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log") executions in ${budget}s," \
		"$(ls "$here/corpus/$t" | wc -l) inputs in corpus/$t"
done
[ $status = 0 ] && rm -rf "$work"
exit $status
