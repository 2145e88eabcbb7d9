#!/usr/bin/env bash
# Regenerates each findings page from its data folder and stages both together, retrying while
# a study that is still running adds runs between the two (the page must match the committed
# runs exactly: FindingsPageTest). Uses the jar of the working tree's build.
#
#   data/regenerate.sh [JAR]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${1:-ablation-examples/target/ablation.jar}
# a page made by an older build than the sources would differ from what the test regenerates
if [ -z "${1:-}" ] && [ -n "$(find ablation-*/src/main -newer "$jar" -type f | head -1)" ]; then
  echo "sources are newer than $jar: build it first (mvn -o -B -q install -DskipTests)" >&2
  exit 1
fi
for attempt in 1 2 3 4 5; do
  before=$(ls data/issue32/*/runs data/issue32-checks/*/runs 2>/dev/null | md5sum)
  java -Djava.awt.headless=true -cp "$jar" dev.ablation.examples.Main findings data/issue32 \
    docs/findings.md 2>&1 | grep -v WARN || true
  git add data/issue32 data/issue32-checks docs/findings.md docs/findings-plots
  after=$(ls data/issue32/*/runs data/issue32-checks/*/runs 2>/dev/null | md5sum)
  if [ "$before" = "$after" ]; then
    # the README's answer quotes the page (DocsIndexTest): name each figure it lost
    answer=$(sed -n '/^## The answer/,/^## The two commands/p' README.md | sed 's/]([^)]*)/]/g')
    stale=0
    for n in $(grep -oE -- '-?[0-9]+([.,][0-9]+)*%?' <<<"$answer" | sort -u); do
      grep -qF -- "$n" docs/findings.md || { echo "README's answer quotes $n, no longer on docs/findings.md" >&2; stale=1; }
    done
    [ "$stale" = 0 ] || echo "update README.md's answer from docs/findings.md (DocsIndexTest fails until then)" >&2
    exit 0
  fi
  echo "runs changed while regenerating; again ($attempt)"
done
echo "could not catch the runs still; stop the studies or try later" >&2
exit 1
