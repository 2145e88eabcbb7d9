#!/usr/bin/env bash
# Integration test of ablation-spark on a real (if small) Spark cluster:
#   1. a standalone master and one worker on 127.0.0.1, started from the Spark jars Maven
#      resolves for ablation-spark's spark.version (it/spark-home/pom.xml copies them into
#      ablation-spark/target/spark-home/jars: a SPARK_HOME without Spark's scripts; the java
#      command lines are built by Spark's own launcher, as bin/spark-class does);
#   2. spark-submit of the application jar with a preset (default: quick);
#   3. the same preset through the sequential study (what `ablation.jar study` runs);
#   4. their results.csv rows compared, every column but wall_s;
#   5. a second submit, which must run nothing;
#   6. worker and master stopped (also on failure or Ctrl-C).
#
# Usage: ablation-spark/it/standalone.sh [PRESET]      (PRESET: quick, default, ...)
#   or:  mvn -B -Pstandalone-it -pl ablation-spark -am verify
# Environment: ABLATION_IT_PRESET (preset when no argument), ABLATION_IT_CORES (worker cores,
# default 2), ABLATION_IT_BUILT=1 (skip building the application jar: Maven's profile sets it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MOD=$ROOT/ablation-spark
PRESET=${1:-${ABLATION_IT_PRESET:-quick}}
CORES=${ABLATION_IT_CORES:-2}
START=$(date +%s)
say() { printf '[standalone-it %4ds] %s\n' $(( $(date +%s) - START )) "$*"; }

if [[ -z "${ABLATION_IT_BUILT:-}" ]]; then
  say "building the application jar (mvn -pl ablation-spark -am package)"
  mvn -B -q -pl ablation-spark -am package -DskipTests -Dmaven.javadoc.skip
fi
APP_JAR=$(ls "$MOD"/target/ablation-spark-*-app.jar)
# SPARK_HOME: the jars of spark-core at ablation-spark's spark.version, resolved by Maven with
# Spark's own dependency management (it/spark-home/pom.xml), i.e. a distribution's jars/
SPARK_VERSION=$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$MOD/pom.xml" | head -1)
export SPARK_HOME=$MOD/target/spark-home
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP=127.0.0.1 # every Spark process binds to loopback only
if [[ ! -f $SPARK_HOME/RESOLVED-$SPARK_VERSION ]]; then
  say "resolving Spark $SPARK_VERSION's jars into $SPARK_HOME/jars"
  rm -rf "$SPARK_HOME"
  mvn -B -q -f "$MOD/it/spark-home/pom.xml" dependency:copy-dependencies \
    -Dspark.version="$SPARK_VERSION" -DincludeScope=runtime -DoutputDirectory="$SPARK_HOME/jars"
  touch "$SPARK_HOME/RESOLVED-$SPARK_VERSION"
fi

IT=$MOD/target/it
rm -rf "$IT"
mkdir -p "$IT/logs" "$IT/work"
# a copy: a build running meanwhile may replace target/*-app.jar
cp "$APP_JAR" "$IT/"
APP_JAR=$IT/$(basename "$APP_JAR")
# Spark's launcher reads no conf/ here; logging: warnings and Spark's start-up lines only
mkdir -p "$SPARK_HOME/conf"
cat > "$SPARK_HOME/conf/log4j2.properties" <<'EOF'
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.master.name = org.apache.spark.deploy.master.Master
logger.master.level = info
logger.worker.name = org.apache.spark.deploy.worker.Worker
logger.worker.level = info
logger.app.name = dev.ablation
logger.app.level = info
EOF

# Runs a Spark class the way bin/spark-class does: Spark's launcher prints the java command
# line (class path from $SPARK_HOME/jars, the Java 17 --add-opens flags), NUL-separated. The
# JVM replaces the shell (exec), so `spark_class ... &` leaves the JVM's own pid in $!.
spark_class() {
  local cmd=() arg
  while IFS= read -r -d '' arg; do
    arg=${arg#$'\n'}
    [[ -z $arg && ${#cmd[@]} -eq 0 ]] && continue
    cmd+=("$arg")
  done < <(java -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@")
  exec "${cmd[@]}"
}

PIDS=()
stop_all() {
  local rc=$?
  trap - EXIT INT TERM
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    kill "${PIDS[i]}" 2>/dev/null && wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [[ ${#PIDS[@]} -gt 0 ]]; then
    if ps -p "$(IFS=,; echo "${PIDS[*]}")" > /dev/null; then
      say "FAIL: a Spark JVM outlived its kill: $(ps -o pid=,comm= -p "$(IFS=,; echo "${PIDS[*]}")")"
      rc=1
    else
      say "stopped worker and master (pids ${PIDS[*]})"
    fi
  fi
  exit $rc
}
trap stop_all EXIT INT TERM

# Waits up to $3 seconds for the regex $2 to appear in the file $1; prints the first match.
wait_for() {
  local i
  for (( i=0; i<$3; i++ )); do
    if grep -Eo -m1 "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "timed out after $3 s waiting for '$2' in $1:" >&2
  tail -20 "$1" >&2
  return 1
}

say "starting the master on 127.0.0.1"
SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false" \
  spark_class org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 \
  --webui-port 0 > "$IT/logs/master.log" 2>&1 &
PIDS+=($!)
MASTER=$(wait_for "$IT/logs/master.log" 'spark://127\.0\.0\.1:[0-9]+' 120)
say "master at $MASTER"

say "starting one worker ($CORES cores, 4 GiB)"
spark_class org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
  --cores "$CORES" --memory 4g --work-dir "$IT/work" "$MASTER" > "$IT/logs/worker.log" 2>&1 &
PIDS+=($!)
wait_for "$IT/logs/worker.log" 'Successfully registered with master' 120 > /dev/null
say "worker registered"

submit() ( # a subshell: spark_class ends in exec
  # One native thread per task (spark.task.cpus=1 and OMP_NUM_THREADS=1), one executor with
  # all the worker's cores, JavaCPP's libraries extracted into the executor's own directory.
  spark_class org.apache.spark.deploy.SparkSubmit --master "$MASTER" --deploy-mode client \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false \
    --conf spark.executor.cores="$CORES" --conf spark.task.cpus=1 \
    --conf spark.executor.memory=2g \
    --conf spark.executorEnv.OMP_NUM_THREADS=1 \
    --conf spark.executorEnv.OMP_WAIT_POLICY=PASSIVE \
    --conf spark.executor.extraJavaOptions="-Dorg.bytedeco.javacpp.cachedir=javacpp-cache -Dorg.bytedeco.javacpp.maxbytes=1g -Dorg.bytedeco.javacpp.maxphysicalbytes=3500m" \
    --class dev.ablation.spark.SparkStudyApp "$APP_JAR" \
    --preset "$PRESET" --out "$IT/spark-out" "$@"
)

say "submitting --preset $PRESET"
T0=$(date +%s)
if ! submit > "$IT/logs/submit-1.log" 2>&1; then
  tail -40 "$IT/logs/submit-1.log"
  say "FAIL: the submit failed (log: $IT/logs/submit-1.log)"
  exit 1
fi
# the application's own lines (stages, per-original reports, the summary)
grep -Ev '^[0-9]{2}:[0-9]{2}:[0-9]{2} |^	|^$|^WARNING|^Added differentiated op' \
  "$IT/logs/submit-1.log" || true
say "spark submit took $(( $(date +%s) - T0 )) s"

say "running the same preset sequentially (the study of ablation.jar)"
T0=$(date +%s)
# SameDiff prints a line per differentiated op on stdout: keep the log, show the summary
if ! OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE java -Xmx2g -cp "$APP_JAR:$SPARK_HOME/jars/*" \
    "$MOD/it/SequentialStudy.java" "$PRESET" "$IT/local-out" > "$IT/logs/local.log" 2>&1; then
  tail -20 "$IT/logs/local.log"
  say "FAIL: the sequential study failed (log: $IT/logs/local.log)"
  exit 1
fi
tail -1 "$IT/logs/local.log"
say "sequential study took $(( $(date +%s) - T0 )) s"

say "comparing rows"
java -cp "$APP_JAR:$SPARK_HOME/jars/*" "$MOD/it/CompareRows.java" "$IT/local-out" "$IT/spark-out"

say "submitting again with --resume: must run nothing"
submit --resume > "$IT/logs/submit-2.log" 2>&1
grep -E '^[0-9]+ runs in the plan' "$IT/logs/submit-2.log"
if ! grep -Eq '^[0-9]+ runs in .* \(0 run now, 0 failed\)' "$IT/logs/submit-2.log"; then
  say "FAIL: the second submit ran something (see $IT/logs/submit-2.log)"
  exit 1
fi
say "PASS: preset $PRESET on a standalone cluster matches the sequential study; resubmit ran nothing"
