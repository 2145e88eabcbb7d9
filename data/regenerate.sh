#!/usr/bin/env bash
# Regenerates each findings page from its data folder and stages both together, retrying while
# a study that is still running adds runs between the two (the page must match the committed
# runs exactly: FindingsPageTest). Uses the jar of the working tree's build.
#
#   data/regenerate.sh [JAR]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${1:-ablation-cli/target/ablation.jar}
# a page made by an older build than the sources would differ from what the test regenerates
if [ -z "${1:-}" ] && [ -n "$(find ablation-*/src/main -newer "$jar" -type f | head -1)" ]; then
  echo "sources are newer than $jar: build it first (mvn -o -B -q install -DskipTests)" >&2
  exit 1
fi
for attempt in 1 2 3 4 5; do
  before=$(ls data/issue32/*/runs data/issue32-checks/*/runs 2>/dev/null | md5sum)
  java -Djava.awt.headless=true -cp "$jar" dev.ablation.cli.Main findings data/issue32 \
    docs/findings.md --readme README.md 2>&1 | grep -v WARN || true
  git add data/issue32 data/issue32-checks docs/findings.md docs/findings-plots README.md
  after=$(ls data/issue32/*/runs data/issue32-checks/*/runs 2>/dev/null | md5sum)
  [ "$before" = "$after" ] && exit 0
  echo "runs changed while regenerating; again ($attempt)"
done
echo "could not catch the runs still; stop the studies or try later" >&2
exit 1
