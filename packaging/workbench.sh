#!/usr/bin/env bash
# The two Quick-start commands, and the Debian packages:
#   packaging/workbench.sh gui [PATH]   set up, build, open the window (on PATH if given)
#   packaging/workbench.sh test         set up, build, run every test through ctest
#   packaging/workbench.sh deb          set up, build what the packages hold, make sculpt-cli_*.deb and sculpt_*.deb
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${SCULPT_BUILD_DIR:-$here/build}"
jobs=$(nproc)

bash "$here/packaging/setup.sh"

configure_and_build() { # <build dir> <target> <cmake args…>
  local dir=$1 target=$2
  shift 2
  cmake -S "$here" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" --target "$target"
}

case "${1:-}" in
  gui)
    configure_and_build "$build" all
    shift
    exec "$build/app/sculpt/sculpt" "$@"
    ;;
  test)
    start=$SECONDS
    configure_and_build "$build" all
    echo "build: $((SECONDS - start)) s" >&2
    # The readers again, with clang, ASan and UBSan, replaying the malformed-file corpus.
    configure_and_build "$build-fuzz" fuzz_targets -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
      -DSCULPT_GUI=OFF -DSCULPT_TORCH=OFF -DSCULPT_FUZZ=ON
    status=0
    ctest --test-dir "$build" --output-on-failure -j "$jobs" || status=$?
    ctest --test-dir "$build-fuzz" --output-on-failure -j "$jobs" || status=$?
    echo "build and tests: $((SECONDS - start)) s" >&2
    exit $status
    ;;
  deb)
    configure_and_build "$build" sculpt_packaged
    packages=$(cd "$build" && cpack -G DEB)
    sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' <<<"$packages"
    ;;
  *)
    echo "usage: $0 gui [PATH] | test | deb" >&2
    exit 2
    ;;
esac
