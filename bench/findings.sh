#!/usr/bin/env bash
# Regenerates docs/findings.md from a real study run, with its command, commit, machine and
# wall time.
#
#   bench/findings.sh                      # the standard preset, then the encdec aside
#                                          # (about 1.5 h together on a 2-core machine)
#   bench/findings.sh default              # any preset (no aside) ...
#   bench/findings.sh default --seeds 1    # ... with study options appended
#   bench/findings.sh --compose DIR WALL_S "COMMAND" [LOAD]  # only write docs/findings.md from a
#                                          # finished study in DIR that was run by hand
#   bench/findings.sh --arms DIR ARMS      # print only the sensitivity-arms section
#
# The aside: when FINDINGS_ASIDE_OUT names a finished encdec study (set by the default run), its
# report is appended as a second part, with FINDINGS_ASIDE_WALL and FINDINGS_ASIDE_CMD.
# The study resumes: killed at any point, the same command finishes it. FINDINGS_OUT chooses
# the study directory (default findings-out/PRESET); FINDINGS_COMMIT names the commit of a run
# made by hand (default: HEAD); FINDINGS_NOTES names a markdown file of reading notes (what the
# numbers say, the literature, the limits; default docs/findings-notes.md for the standard
# preset) inserted after the computed answers (bench/findings_answers.py). The notes are prose
# about one run: after a new run, reread them against the new numbers. FINDINGS_ARMS names the
# directory of issue 22's sensitivity arms (bench/arms.sh); their tables follow the notes.
set -euo pipefail
cd "$(dirname "$0")/.."

arms_section() { # OUT ARMS: issue 22's arms against the study in OUT
  echo "## Sensitivity arms (issue 22)"
  echo
  echo "Each arm is a study of its own made by \`bench/arms.sh JAR $1 $2\` with"
  echo "\`OMP_NUM_THREADS=1\` on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)),"
  echo "one after another (commands and \`/usr/bin/time -v\` figures below), and is compared"
  echo "block by block with this run's rows of the same shapes and seeds by \`bench/arms.py\`."
  echo
  echo "| arm | command (after \`java -Xmx1g -XX:+UseSerialGC -jar ablation.jar study --preset standard --wipe-kinds block --schemes FRESH --design factorial\`) | wall | user CPU | peak RSS |"
  echo "|---|---|---|---|---|"
  local f n
  for f in "$2"/*.err; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .err)
    [ -f "$2/$n/results.csv" ] || continue
    echo "| $n | \`$(sed -n "s/.* start $n: //p" "$2/arms.log" | tail -1)\` | $(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$f") | $(sed -n 's/.*User time (seconds): //p' "$f") s | $(awk '/Maximum resident/ {printf "%.2f GB", $NF/1e6}' "$f") |"
  done
  local ref=()
  [ -f "$2/text-reference.txt" ] && ref=(--text-reference "$2/text-reference.txt")
  python3 bench/arms.py "$1" "$2" "${ref[@]}"
  echo
}

compose() {
  local out=$1 wall=$2 cmd=$3 load=${4:-unknown}
  local doc=docs/findings.md plots=docs/findings-plots
  local commit dirty preset
  commit=${FINDINGS_COMMIT:-$(git rev-parse HEAD)}
  [ -n "${FINDINGS_COMMIT:-}" ] && dirty="" || dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
  preset=$(sed -n 's/.*--preset \([a-z]*\).*/\1/p' <<<"$cmd")
  rm -rf "$plots"
  mkdir -p "$plots"
  if [ -d "$out/plots" ]; then cp "$out"/plots/*.png "$plots"/ 2>/dev/null || true; fi
  {
    echo "# Findings"
    echo
    if [ "$preset" != "standard" ] || grep -q -- "--seeds\|--layers\|--widths\|--budget\|--schemes\|--wipe" <<<"$cmd"; then
      echo "> **Draft from a smaller run, not the \`standard\` study.** Regenerate the real one"
      echo "> with \`bench/findings.sh\` (no arguments). Read every number below as what this"
      echo "> run measured, nothing more."
      echo
    fi
    # the answer first (issue 33): the report's own headline lines and its summary figure, as
    # computed by the study's report code; the same lines open report.md and report.html
    if [ -f "$out/report.md" ]; then
      echo "## The answer"
      echo
      awk 'NR > 2 && /^## The answer/ {exit} NR > 2' "$out/report.md" \
        | grep -v '^Interactive: ' | sed -e 's#](plots/#](findings-plots/#g'
    fi
    echo "| | |"
    echo "|---|---|"
    echo "| command | \`$cmd\` |"
    echo "| commit | \`$commit\`$dirty |"
    echo "| machine | $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| load average at start | $load (where other jobs shared the machine, times are upper bounds) |"
    echo "| Java | $(java -version 2>&1 | head -1) |"
    if [[ $wall =~ ^[0-9]+$ ]]; then
      echo "| wall time | ${wall} s (this invocation; a resumed study ran earlier parts before) |"
    else
      echo "| wall time | ${wall} |"
    fi
    echo "| regenerate | \`bench/findings.sh\` (standard) or the command above |"
    echo
    echo "## What the literature leads us to expect (hypotheses to check, not results)"
    echo
    echo "- **Zhang, Bengio & Singer (2019/2022), \"Are all layers created equal?\"** Re-initialising"
    echo "  a layer to its *initial* weights (our \`RESTORE_INITIAL\`) is harmless for most layers of"
    echo "  deep over-parameterised networks (\"robust\" layers) and fatal for a few, mostly the first."
    echo "  Hypothesis: \`RESTORE_INITIAL\` step-0 damage is smaller than \`FRESH\`'s except at block 0,"
    echo "  and block 0 is the most \"critical\" layer. Their test is without retraining; ours adds the"
    echo "  retraining cost ρ."
    echo "- **Gromov et al. (2024), \"The unreasonable ineffectiveness of the deeper layers\".** In"
    echo "  pre-LN LLMs the deeper half can be deleted with little loss, after a small \"healing\""
    echo "  fine-tune. Hypothesis: deleted − L* is largest for early blocks and small for late ones,"
    echo "  and ρ of late blocks is small. Our models are tiny and our tasks have few steps of"
    echo "  computation, so a block that matters here may be idle in an LLM and vice versa."
    echo "- **Lad, Gurnee & Tegmark (2024), \"The remarkable robustness of LLMs: stages of"
    echo "  inference?\".** Deleting or swapping a middle layer costs little; the first and last"
    echo "  layers are sensitive (a U shape). Hypothesis: the damage-vs-layer curve is U-shaped and"
    echo "  flattens as N grows (the ρ-vs-relative-depth plot shows whether the shape scales with N)."
    echo
    if [ -f "$out/results.csv" ]; then
      python3 bench/findings_answers.py "$out/results.csv"
      echo
    fi
    local notes=${FINDINGS_NOTES:-}
    [ -z "$notes" ] && [ "$preset" = standard ] && notes=docs/findings-notes.md
    if [ -n "$notes" ] && [ -f "$notes" ]; then
      cat "$notes"
      echo
    fi
    if [ -n "${FINDINGS_ARMS:-}" ] && [ -d "$FINDINGS_ARMS" ]; then
      arms_section "$out" "$FINDINGS_ARMS"
      echo
    fi
    echo "The study's report follows: every table and plot of this run."
    echo
    # the report without its headline block, which opens this page already
    awk 'NR > 2 && !seen && !/^## The answer/ {next} /^## The answer/ {seen = 1} {print}' \
      "$out/report.md" \
      | sed -e 's#](plots/#](findings-plots/#g' -e 's/^# Recovery study: /## Report: /' 
    local aside=${FINDINGS_ASIDE_OUT:-}
    if [ -n "$aside" ] && [ -f "$aside/report.md" ]; then
      mkdir -p "$plots/encdec"
      cp "$aside"/plots/*.png "$plots/encdec/" 2>/dev/null || true
      echo
      echo "# Part two: the encoder-decoder aside"
      echo
      echo "| | |"
      echo "|---|---|"
      echo "| command | \`${FINDINGS_ASIDE_CMD:-unknown}\` |"
      echo "| commit | as above |"
      # a number of seconds gets its unit; a text (e.g. "1551 s (25 min 51 s, …)") is its own
      if [[ ${FINDINGS_ASIDE_WALL:-} =~ ^[0-9]+$ ]]; then
        echo "| wall time | ${FINDINGS_ASIDE_WALL} s |"
      else
        echo "| wall time | ${FINDINGS_ASIDE_WALL:-unknown} |"
      fi
      echo
      sed -e 's#](plots/#](findings-plots/encdec/#g' -e 's/^# Recovery study: /## Report: /' \
        -e 's/^## /### /' -e 's/^### Report: /## Report: /' "$aside/report.md"
    fi
  } >"$doc"
  echo "wrote $doc and $plots/ from $out"
}

if [ "${1:-}" = "--arms" ]; then
  arms_section "$2" "$3"
  exit 0
fi

if [ "${1:-}" = "--compose" ]; then
  compose "$2" "$3" "$4" "${5:-unknown}"
  exit 0
fi

preset=${1:-standard}
shift || true
out=${FINDINGS_OUT:-findings-out/$preset}
mvn -B -q -DskipTests package
load=$(cut -d' ' -f1-3 /proc/loadavg)
resume=()
[ -f "$out/results.csv" ] && resume=(--resume)
cmd="OMP_NUM_THREADS=1 java -Xmx2g -jar ablation-examples/target/ablation.jar study --preset $preset --out $out $*"
start=$(date +%s)
OMP_NUM_THREADS=1 java -Xmx2g -jar ablation-examples/target/ablation.jar study \
  --preset "$preset" --out "$out" "${resume[@]}" "$@"
wall=$(( $(date +%s) - start ))
if [ "$preset" = standard ] && [ $# -eq 0 ]; then
  aside_out=${FINDINGS_ASIDE_OUT:-findings-out/encdec}
  aside_resume=()
  [ -f "$aside_out/results.csv" ] && aside_resume=(--resume)
  aside_start=$(date +%s)
  OMP_NUM_THREADS=1 java -Xmx2g -jar ablation-examples/target/ablation.jar study \
    --preset encdec --out "$aside_out" "${aside_resume[@]}"
  export FINDINGS_ASIDE_OUT=$aside_out FINDINGS_ASIDE_WALL=$(( $(date +%s) - aside_start ))
  export FINDINGS_ASIDE_CMD="OMP_NUM_THREADS=1 java -Xmx2g -jar ablation-examples/target/ablation.jar study --preset encdec --out $aside_out"
fi
compose "$out" "$wall" "$cmd" "$load"
