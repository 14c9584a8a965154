#!/bin/bash
# Adding files to a built corpus, two codes on the same files: a generated corpus (seed 1) built by
# each code's `commclean run` in a clean folder of its own, then ADD generated files (seed 5001)
# put into that raw/ and each code's `commclean run` timed again. Prints each run's wall time and
# whether the two codes' tables are identical (compare_outputs.py compare, its exit status the
# script's); the runs' JSON summaries (steps' milliseconds) are left in WORK/<a|b>-<build|add>.json.
#
# Usage: bash benchmarks/add_files_ab.sh OLD_CHECKOUT NEW_CHECKOUT [WORK=/tmp/ab] [DOCS=100000] [ADD=10000]
# (a checkout: a git worktree of the code, e.g. `git worktree add /tmp/old e7402ac --detach`)
set -euo pipefail
old=$1; new=$2; work=${3:-/tmp/ab}; docs=${4:-100000}; add=${5:-10000}
here=$(cd "$(dirname "$0")/.." && pwd); python=$here/.venv/bin/python
rm -rf "$work" && mkdir -p "$work"
write() { "$python" -c "import sys; sys.path.insert(0, '$here/benchmarks')
from pathlib import Path; from scale_bench import write_corpus
write_corpus(Path('$work/raw'), $1, $2, prefix='$3')"; }
run() {  # run CODE LABEL STEP
  PYTHONPATH=$1/src:$1 /usr/bin/time -f "$2 $3 %e s" "$here/.venv/bin/commclean" run --raw "$work/raw" \
    --clean "$work/$2" --json > "$work/$2-$3.json" 2> "$work/$2-$3.err"
  tail -1 "$work/$2-$3.err"
}
write "$docs" 1 ""
run "$old" a build; run "$new" b build
write "$add" 5001 "added/"
run "$old" a add; run "$new" b add
"$python" "$here/benchmarks/compare_outputs.py" compare "$work/a" "$work/b"
