#!/usr/bin/env bash
# test/scripts/fuzz.sh -- the CI run of the parser fuzzers: a short budget
# (ISMS_FUZZ_SECONDS, default 20 s per target) of test/fuzz/run.sh on the
# runner's private copy of the tree.  Skips (exit 0) without clang/libFuzzer.
exec bash "$ISMS_BUILD/test/fuzz/run.sh" "${ISMS_FUZZ_SECONDS:-20}"
