#!/usr/bin/env bash
# Full training step of the reference decoder (N=4, D=64, T=64, batch 32) under four set-ups,
# alternated in one run so that load drifts hit all of them alike:
#   default      nd4j-native's default build (linux-x86_64), no step arena, ND4J's own thread
#                count: what `nd4j-native-platform` gives out of the box
#   default_1t   the same with one OpenMP thread
#   onednn_1t    the build ablation ships (linux-x86_64-onednn), no step arena, one thread
#   chosen       the shipped build with the step arena, one thread: what `ablation.jar` runs
# Prints every bench line prefixed by the set-up and round, then per set-up the median over
# rounds and the ratios chosen/default and chosen/default_1t.
# Usage (from the repository root): bench/builds.sh [rounds] [config]   (defaults: 3, 4x64x64)
# Needs Maven (it compiles, builds the class path and fetches the default build's jar once).
set -euo pipefail
rounds="${1:-3}"
config="${2:-4x64x64}"
cd "$(dirname "$0")/.."
out=target/bench-builds
mkdir -p "$out"
mvn -B -q -DskipTests compile dependency:build-classpath -pl ablation-cli -am \
  -Dmdep.outputFile="$PWD/$out/cp.txt" >/dev/null
mvn -B -q dependency:copy -Dartifact=org.nd4j:nd4j-native:1.0.0-M2.1:jar:linux-x86_64 \
  -DoutputDirectory="$PWD/$out" >/dev/null
onednn_cp="ablation-cli/target/classes:$(cat "$out/cp.txt")"
default_jar="$PWD/$out/nd4j-native-1.0.0-M2.1-linux-x86_64.jar"
default_cp=$(tr ':' '\n' <<<"$onednn_cp" \
  | sed "s|.*/nd4j-native-1.0.0-M2.1-linux-x86_64-onednn.jar|$default_jar|" | paste -sd:)
grep -q onednn <<<"$default_cp" && grep -q "nd4j-native-1.0.0-M2.1-linux-x86_64-onednn" \
  <<<"$default_cp" && { echo "could not swap the native build" >&2; exit 1; }

run() { # name, class path, arena, threads ("" = ND4J's default)
  local name=$1 cp=$2 arena=$3 threads=$4
  local env=(env -u OMP_NUM_THREADS OMP_WAIT_POLICY=PASSIVE)
  [[ -n "$threads" ]] && env+=(OMP_NUM_THREADS="$threads")
  "${env[@]}" java -Xmx1g -Dablation.stepArena="$arena" -cp "$cp" dev.ablation.cli.Main \
    bench --full-step-only --timed 41 --config "$config" 2>/dev/null | grep -E '^[A-Za-z0-9_.]+=' \
    | sed "s/^/$name.round$round./"
}

echo "rounds=$rounds config=$config load_avg_1m_start=$(cut -d' ' -f1 /proc/loadavg)"
: >"$out/lines.txt"
for round in $(seq 1 "$rounds"); do
  run default "$default_cp" false "" | tee -a "$out/lines.txt"
  run default_1t "$default_cp" false 1 | tee -a "$out/lines.txt"
  run onednn_1t "$onednn_cp" false 1 | tee -a "$out/lines.txt"
  run chosen "$onednn_cp" true 1 | tee -a "$out/lines.txt"
done
echo "load_avg_1m_end=$(cut -d' ' -f1 /proc/loadavg)"
# the median over rounds of a figure (full_step_ms: median step; full_step_ms_mean: mean step)
median() { grep -E "^$1\.round[0-9]+\..*\.$2=" "$out/lines.txt" | cut -d= -f2 | sort -g \
  | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for f in full_step_ms full_step_ms_mean; do
  for s in default default_1t onednn_1t chosen; do
    echo "$s.$f=$(median $s $f)"
  done
  awk -v f="$f" -v c="$(median chosen $f)" -v d="$(median default $f)" \
    -v d1="$(median default_1t $f)" -v o="$(median onednn_1t $f)" 'BEGIN {
      printf "%s.chosen_over_default=%.3f\n%s.chosen_over_default_1t=%.3f\n", f, c/d, f, c/d1
      printf "%s.onednn_over_default_1t=%.3f\n%s.arena_over_no_arena=%.3f\n", f, o/d1, f, c/o }'
done
