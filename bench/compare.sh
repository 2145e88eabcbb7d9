#!/usr/bin/env bash
# Runs the SameDiff bench and two PyTorch peers back to back with the same threads and prints
# samediff_over_pytorch=<ratio> (Debian's PyTorch 1.13, bench/pytorch_peer.py) and
# samediff_over_pytorch2=<ratio> (PyTorch 2.7.1 through DJL 0.36.0, bench/djl) per configuration
# (full training step, batch 32).
# Usage: bench/compare.sh [threads]   (from the repository root; needs ablation-cli/target/
# ablation.jar, or ABLATION_CP set to a classpath for dev.ablation.cli.Main)
# The DJL peer is built on first use (mvn -f bench/djl/pom.xml; its jars carry libtorch) and runs
# with -Dai.djl.offline=true: the natives are extracted from the jars into DJL_CACHE_DIR
# (default bench/djl/target/djl-cache), never downloaded. PYTORCH2=skip leaves it out.
set -euo pipefail
threads="${1:-1}"
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE
# A fair peer: Debian's torch links the reference BLAS unless OpenBLAS is selected.
openblas_dir=$(dirname "$(ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 2>/dev/null \
  || echo /usr/lib/x86_64-linux-gnu/openblas-pthread/x)")
export OPENBLAS_NUM_THREADS="$threads"
if [[ -n "${ABLATION_CP:-}" ]]; then java_cmd=(java -Xmx512m -cp "$ABLATION_CP" dev.ablation.cli.Main)
else java_cmd=(java -Xmx512m -jar ablation-cli/target/ablation.jar); fi
echo "threads=$threads load_avg_1m=$(cut -d' ' -f1 /proc/loadavg)"
sd=$("${java_cmd[@]}" bench --full-step-only 2>/dev/null | grep -E '^[A-Za-z0-9_.]+=')
echo "$sd"
pt=$(LD_LIBRARY_PATH="$openblas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" /usr/bin/python3 \
  "$(dirname "$0")/pytorch_peer.py")
echo "$pt"
pt2=""
if [[ "${PYTORCH2:-}" != skip ]]; then
  djl="$(dirname "$0")/djl"
  if [[ ! -f "$djl/target/cp.txt" || ! -d "$djl/target/classes" ]]; then
    mvn -B -q -f "$djl/pom.xml" compile dependency:build-classpath \
      -Dmdep.outputFile=target/cp.txt >&2
  fi
  pt2=$(DJL_CACHE_DIR="${DJL_CACHE_DIR:-$djl/target/djl-cache}" java -Xmx512m \
    -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$threads" \
    -Dai.djl.pytorch.num_interop_threads=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$djl/target/classes:$(cat "$djl/target/cp.txt")" dev.ablation.bench.PyTorch2Peer \
    2>/dev/null | grep -E '^[A-Za-z0-9_.]+=')
  echo "$pt2"
fi
for cfg in n4_d64_t64 n2_d32_t32; do
  s=$(grep "^$cfg.full_step_ms=" <<<"$sd" | cut -d= -f2)
  p=$(grep "^$cfg.pytorch_full_step_ms=" <<<"$pt" | cut -d= -f2)
  echo "$cfg.samediff_over_pytorch=$(awk -v s="$s" -v p="$p" 'BEGIN{printf "%.3f", s/p}')"
  # the same ratios in thread CPU time (one thread each): steadier when other work shares the
  # cores, which stretches wall time but not the CPU a step needs
  sc=$(grep "^$cfg.full_step_cpu_ms=" <<<"$sd" | cut -d= -f2)
  pc=$(grep "^$cfg.pytorch_full_step_cpu_ms=" <<<"$pt" | cut -d= -f2)
  if [[ -n "$sc" && -n "$pc" ]]; then
    echo "$cfg.samediff_over_pytorch_cpu=$(awk -v s="$sc" -v p="$pc" 'BEGIN{printf "%.3f", s/p}')"
  fi
  if [[ -n "$pt2" ]]; then
    p2=$(grep "^$cfg.pytorch2_full_step_ms=" <<<"$pt2" | cut -d= -f2)
    echo "$cfg.samediff_over_pytorch2=$(awk -v s="$s" -v p="$p2" 'BEGIN{printf "%.3f", s/p}')"
    p2c=$(grep "^$cfg.pytorch2_full_step_cpu_ms=" <<<"$pt2" | cut -d= -f2)
    if [[ -n "$sc" && -n "$p2c" ]]; then
      echo "$cfg.samediff_over_pytorch2_cpu=$(awk -v s="$sc" -v p="$p2c" \
        'BEGIN{printf "%.3f", s/p}')"
    fi
  fi
done
echo "load_avg_1m_end=$(cut -d' ' -f1 /proc/loadavg)"
