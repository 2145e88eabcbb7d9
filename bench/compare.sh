#!/usr/bin/env bash
# Runs the SameDiff bench and the PyTorch peer back to back with the same threads and prints
# samediff_over_pytorch=<ratio> per configuration (full training step, batch 32).
# Usage: bench/compare.sh [threads]   (from the repository root; needs ablation-examples/target/
# ablation.jar, or ABLATION_CP set to a classpath for dev.ablation.examples.Main)
set -euo pipefail
threads="${1:-1}"
export OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY=PASSIVE
# A fair peer: Debian's torch links the reference BLAS unless OpenBLAS is selected.
openblas_dir=$(dirname "$(ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 2>/dev/null \
  || echo /usr/lib/x86_64-linux-gnu/openblas-pthread/x)")
export OPENBLAS_NUM_THREADS="$threads"
if [[ -n "${ABLATION_CP:-}" ]]; then java_cmd=(java -Xmx512m -cp "$ABLATION_CP" dev.ablation.examples.Main)
else java_cmd=(java -Xmx512m -jar ablation-examples/target/ablation.jar); fi
echo "threads=$threads load_avg_1m=$(cut -d' ' -f1 /proc/loadavg)"
sd=$("${java_cmd[@]}" bench --full-step-only 2>/dev/null | grep -E '^[A-Za-z0-9_.]+=')
echo "$sd"
pt=$(LD_LIBRARY_PATH="$openblas_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" /usr/bin/python3 \
  "$(dirname "$0")/pytorch_peer.py")
echo "$pt"
for cfg in n4_d64_t64 n2_d32_t32; do
  s=$(grep "^$cfg.full_step_ms=" <<<"$sd" | cut -d= -f2)
  p=$(grep "^$cfg.pytorch_full_step_ms=" <<<"$pt" | cut -d= -f2)
  echo "$cfg.samediff_over_pytorch=$(awk -v s="$s" -v p="$p" 'BEGIN{printf "%.3f", s/p}')"
done
echo "load_avg_1m_end=$(cut -d' ' -f1 /proc/loadavg)"
