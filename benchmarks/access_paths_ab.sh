#!/usr/bin/env bash
# Before and after, alternately, in one session: benchmarks/access_paths.py on the code at REV and
# on this tree, each round on fresh copies of the same demo database (the script writes).
#
#   benchmarks/access_paths_ab.sh REV DEMO.sqlite3 [ROUNDS] [OUT_DIR]
#
# REV's tree is checked out with `git worktree add` beside this one and run with this tree's venv
# (REV's code is found first on sys.path); this tree's copy is migrated before it is timed.
set -euo pipefail
rev=${1:?a git revision to compare with}; demo=${2:?a demo database file}; rounds=${3:-3}
out=${4:-benchmarks/out/access_paths_ab}
here=$(git rev-parse --show-toplevel); py="$here/.venv/bin/python"
before="$here/../ab-$(git rev-parse --short "$rev")"
[ -d "$before" ] || git worktree add -q --detach "$before" "$rev"
cp "$here/benchmarks/access_paths.py" "$before/benchmarks/access_paths.py"
mkdir -p "$out"
for i in $(seq 1 "$rounds"); do
  cp "$demo" /tmp/ab_before.sqlite3
  DATABASE_URL=sqlite:////tmp/ab_before.sqlite3 "$py" "$before/benchmarks/access_paths.py" --cases 20 --repeat 3 \
    --json > "$out/before_$i.json"
  cp "$demo" /tmp/ab_after.sqlite3
  DATABASE_URL=sqlite:////tmp/ab_after.sqlite3 "$here/.venv/bin/roret" migrate -v0
  DATABASE_URL=sqlite:////tmp/ab_after.sqlite3 "$py" "$here/benchmarks/access_paths.py" --cases 20 --repeat 3 \
    --json > "$out/after_$i.json"
  echo "round $i done"
done
echo "JSON in $out (before_N.json, after_N.json)"
