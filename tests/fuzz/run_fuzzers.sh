#!/usr/bin/env bash
# Runs every fuzz target for a while and reports what each did. Not part of CI (CI replays
# the committed corpus under ctest); run it by hand, e.g. before a release or after changing
# a reader:
#
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [BUILD_DIR]     (defaults: 60, build-fuzz)
#
# Each target fuzzes a copy of its corpus (tests/fuzz/corpus/<target>) in a scratch folder,
# so the committed corpus never changes behind your back. The table lists executions, the
# coverage libFuzzer reached (its `cov:` count), the inputs it added to the copy and its
# findings: crash-*, leak-*, timeout-* and oom-* files, each a reproducer (run the target
# on it). A target stops at its first finding. Exit status: 0 without findings, 1 with, 2
# when the fuzz build is missing. FUZZ_FLAGS adds libFuzzer flags to every run.
set -u

seconds=${1:-60}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${2:-$source_dir/build-fuzz}
corpus_root=$source_dir/tests/fuzz/corpus

case $seconds in
'' | *[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [BUILD_DIR]" >&2; exit 2 ;;
esac

targets=()
missing=()
for dir in "$corpus_root"/*/; do
    target=$(basename "$dir")
    targets+=("$target")
    [ -x "$build_dir/tests/fuzz/fuzz_$target" ] || missing+=("fuzz_$target")
done
if [ ${#missing[@]} -gt 0 ]; then
    cat >&2 <<EOF
Not built in $build_dir: ${missing[*]}
This script builds nothing. Build the fuzz targets first (clang, ASan + UBSan):
  cmake -S $source_dir -B $build_dir -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \\
        -DSCULPT_GUI=OFF -DSCULPT_TORCH=OFF -DSCULPT_FUZZ=ON
  cmake --build $build_dir
EOF
    exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sculpt-fuzz-run.XXXXXX")
echo "Fuzzing ${#targets[@]} targets for ${seconds} s each in $scratch"

rows=()
finding_lines=()
total_findings=0
for target in "${targets[@]}"; do
    work=$scratch/$target
    mkdir -p "$work/corpus" "$work/findings"
    cp "$corpus_root/$target"/* "$work/corpus/" 2>/dev/null
    before=$(find "$work/corpus" -type f | wc -l)
    printf '  %-18s ' "$target"
    # -timeout: an input that takes 25 s is a hang worth a look; nice: leave the machine usable.
    # shellcheck disable=SC2086
    nice "$build_dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
        -artifact_prefix="$work/findings/" ${FUZZ_FLAGS:-} "$work/corpus" >"$work/log" 2>&1
    status=$?
    after=$(find "$work/corpus" -type f | wc -l)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$work/log" | tail -1 | tr -d '#')
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
    found=()
    for f in "$work/findings"/crash-* "$work/findings"/leak-* "$work/findings"/timeout-* "$work/findings"/oom-*; do
        [ -e "$f" ] && found+=("$f")
    done
    total_findings=$((total_findings + ${#found[@]}))
    echo "done ($((after - before)) new inputs, ${#found[@]} findings, exit $status)"
    rows+=("$(printf '%-18s %12s %8s %8s %9s' "$target" "${runs:-?}" "${cov:-?}" "$((after - before))" "${#found[@]}")")
    for f in "${found[@]}"; do
        reason=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|ALARM|out-of-memory|terminate called|invariant broken' "$work/log")
        finding_lines+=("$target: $f")
        [ -n "$reason" ] && finding_lines+=("    ${reason}")
    done
    if [ ${#found[@]} -eq 0 ] && [ $status -ne 0 ]; then
        finding_lines+=("$target: exited with status $status without a reproducer; see $work/log")
        total_findings=$((total_findings + 1))
    fi
done

echo
printf '%-18s %12s %8s %8s %9s\n' target executions coverage new findings
for row in "${rows[@]}"; do
    echo "$row"
done
echo
if [ "$total_findings" -eq 0 ]; then
    echo "No findings. Logs and grown corpora in $scratch"
    echo "To commit the few inputs that add most coverage to a target's corpus:"
    echo "  tests/fuzz/pick_inputs.py <target> $scratch/<target>/corpus"
    exit 0
fi
echo "Findings (reproduce with $build_dir/tests/fuzz/fuzz_<target> FILE; logs in $scratch/<target>/log;"
echo "once the reader is fixed, commit the reproducer as tests/fuzz/corpus/<target>/finding-<what>):"
for line in "${finding_lines[@]}"; do
    echo "  $line"
done
exit 1
