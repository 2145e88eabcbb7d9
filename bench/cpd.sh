#!/usr/bin/env bash
# Duplicated places in main code, counted by PMD's copy-paste detector (CPD) at 75 tokens over
# every module's src/main/java together (so a block copied from one module into another counts
# too): prints the number of duplications (a block found in k places is one), how many touch
# each module, and each one's length and places. The report is target/cpd.xml. Nothing here is
# part of `mvn verify`: the plugin is named on the command line, not in a pom.
#
#   bench/cpd.sh            # offline when the PMD plugin is in the local repository, else
#                           # Maven Central once
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f target/cpd.xml
goal=(org.apache.maven.plugins:maven-pmd-plugin:3.26.0:aggregate-cpd -DminimumTokens=75
  -Dformat=xml -DincludeTests=false -Djavacpp.platform=linux-x86_64)
if ! mvn -o -B -q "${goal[@]}" >/dev/null 2>&1; then
  echo "(the PMD plugin is not in the local repository: fetching it)" >&2
  mvn -B -q "${goal[@]}" >/dev/null
fi
python3 - target/cpd.xml <<'PY'
import collections
import re
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
ns = re.match(r"\{.*\}", root.tag)
ns = ns.group(0) if ns else ""
per_module = collections.Counter()
lines = []
occurrences = 0
dups = root.findall(ns + "duplication")
for d in dups:
    places, modules = [], set()
    for f in d.findall(ns + "file"):
        path = f.get("path")
        m = re.search(r"([^/]+)/src/main/java/(.*)", path)
        modules.add(m.group(1))
        places.append(f"{m.group(1)}/{m.group(2)}:{f.get('line')}")
    occurrences += len(places)
    for module in modules:
        per_module[module] += 1
    lines.append(f"    {d.get('lines')} lines, {d.get('tokens')} tokens: " + ", ".join(places))
for module, n in sorted(per_module.items()):
    print(f"{module}: {n}")  # one copied across modules counts in each
print(f"total: {len(dups)} duplications of 75 tokens or more in main code, "
      f"{occurrences} places")
print("\n".join(lines))
PY
