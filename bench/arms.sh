#!/bin/bash
# Issue 22's sensitivity arms, one after another, then their comparison with the findings run:
#
#   bench/arms.sh ablation-examples/target/ablation.jar STANDARD_DIR ARMS_DIR
#
# STANDARD_DIR is a finished `--preset standard` study (docs/findings.md's); each arm is a study
# of its own under ARMS_DIR/<arm>, with its /usr/bin/time -v figures in ARMS_DIR/<arm>.err.
# Arms that change only the recovery (policy, rate, tolerance) copy the standard run's originals
# first: an original's cache key is its configuration, training plan and data split, none of
# which these arms change, so they load instead of training. A killed run resumes (--resume) and
# a finished arm is skipped. Order: cheapest information first; every arm stands alone.
set -u
J=$1; STD=$2; A=$3
mkdir -p "$A"
S="--preset standard --wipe-kinds block --schemes FRESH --design factorial"
run() { # name copy-originals(yes/no) args...
  n=$1; c=$2; shift 2
  [ -f "$A/$n.done" ] && return
  mkdir -p "$A/$n"
  if [ "$c" = yes ] && [ ! -d "$A/$n/originals" ]; then cp -r "$STD/originals" "$A/$n/"; fi
  echo "$(date +%s) start $n: $*" >> "$A/arms.log"
  R=""; [ -f "$A/$n/study.json" ] && R="--resume"
  OMP_NUM_THREADS=1 /usr/bin/time -v java -Xmx1g -XX:+UseSerialGC -jar "$J" study $S "$@" $R \
    --out "$A/$n" > "$A/$n.out" 2> "$A/$n.err"
  echo "$(date +%s) end $n rc=$?" >> "$A/arms.log"
  touch "$A/$n.done"
}
run e-alltrainable yes --layers 2,3,4,8 --widths 32,128 --policies allTrainable --seeds 1,2,3
run text no --task text --layers 4 --widths 64 --policies onlyWiped --seeds 1,2,3,4,5
run a-longer2x no --layers 4 --widths 128 --policies onlyWiped --train-steps 1248 --seeds 1,2,3
run a-longer4x no --layers 4 --widths 128 --policies onlyWiped --train-steps 2496 --seeds 1,2,3
run d-rate yes --layers 4 --widths 32,128 --policies onlyWiped --recovery-lr 0.3x,3x --seeds 1,2,3
run c-eps0.01 yes --layers 4 --widths 32,128 --policies onlyWiped --epsilon 0.01 --seeds 1,2,3
run b-strings4x no --layers 4 --widths 128 --policies onlyWiped --strings 16384 --seeds 1,2,3
run c-eps0.005 yes --layers 4 --widths 32,128 --policies onlyWiped --epsilon 0.005 --seeds 1,2,3
java -cp "$J" "$(dirname "$0")/TextReference.java" 4096 1 2 3 4 5 > "$A/text-reference.txt"
python3 "$(dirname "$0")/arms.py" "$STD" "$A" --text-reference "$A/text-reference.txt"
