#!/usr/bin/env bash
# Duplicated places in main code, counted by PMD's copy-paste detector (CPD) at 75 tokens per
# module (src/main/java only), as issue 34 asks: prints each module's count and the total, and
# the places of each duplication from target/cpd.xml.
#
#   bench/cpd.sh            # needs Maven Central once, for the PMD plugin
set -euo pipefail
cd "$(dirname "$0")/.."
modules=ablation-api,ablation-samediff,ablation-study,ablation-cli,ablation-examples
mvn -B -q org.apache.maven.plugins:maven-pmd-plugin:3.26.0:cpd -DminimumTokens=75 \
  -Dformat=xml -DincludeTests=false -Djavacpp.platform=linux-x86_64 -pl "$modules" >/dev/null
total=0
for m in ${modules//,/ }; do
  f=$m/target/cpd.xml
  n=0
  [ -f "$f" ] && n=$(grep -c '<duplication' "$f" || true)
  total=$((total + n))
  echo "$m: $n"
  [ -f "$f" ] && python3 - "$f" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
for lines, body in re.findall(r'<duplication lines="(\d+)"[^>]*>(.*?)</duplication>', s, re.S):
    places = [f"{re.search(r'src/main/java/(.*)', p).group(1)}:{l}"
              for l, p in re.findall(r'<file[^>]*?line="(\d+)"[^>]*?path="([^"]*)"', body, re.S)]
    print(f"    {lines} lines: " + ", ".join(places))
PY
done
echo "total: $total duplications of 75 tokens or more in main code"
