#!/usr/bin/env bash
# test/scripts/fuzz.sh -- the CI run of the parser fuzzers: a short budget
# (ISMS_FUZZ_SECONDS, default 20 s per target) of test/fuzz/run.sh on the
# runner's private copy of the tree.  Exits 77 (skipped)
# when clang/libFuzzer cannot be installed.
exec bash "$ISMS_BUILD/test/fuzz/run.sh" "${ISMS_FUZZ_SECONDS:-20}"
