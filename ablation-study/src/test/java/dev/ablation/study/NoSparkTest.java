package dev.ablation.study;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The SDK (api, samediff, study: this module's class path holds all three) never carries
 * Spark or Scala: only {@code ablation-spark} uses them, as {@code provided}. A dependency that
 * drags them in fails here.
 */
class NoSparkTest {
  @Test
  void neitherSparkNorScalaIsOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("org.apache.spark.SparkContext"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("scala.Predef"))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
