package dev.ablation.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class TaskReportTest {
  static TaskReport counted() {
    return TaskReport.builder("tiny seed 1", "abc123").ran(5).failed(1).skipped(2).seconds(3.5)
        .build();
  }

  @Test
  void javaSerializationRoundTrips() throws Exception {
    // Spark ships a report from an executor to the driver
    for (TaskReport r : new TaskReport[] {counted(), TaskReport.builder("tiny seed 2", "def")
        .seconds(0.25).error("java.lang.IllegalStateException: boom").build()}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(r);
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        TaskReport back = (TaskReport) in.readObject();
        assertThat(back).isEqualTo(r).hasSameHashCodeAs(r);
        assertThat(back.failure()).isEqualTo(r.failure());
      }
    }
  }

  @Test
  void countsDefaultToZeroAndErrorToNone() {
    TaskReport r = TaskReport.builder("o", "h").seconds(1).build();
    assertThat(r.ran()).isZero();
    assertThat(r.failed()).isZero();
    assertThat(r.skipped()).isZero();
    assertThat(r.failure()).isEmpty();
  }

  @Test
  void eachValueOnce() {
    assertThatThrownBy(() -> TaskReport.builder("o", "h").ran(1).ran(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("ran was already set");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").failed(1).failed(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed was already set");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").skipped(1).skipped(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("skipped was already set");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").seconds(1).seconds(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seconds was already set");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").error("a").error("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("error was already set");
  }

  @Test
  void copiedValuesMayBeReplacedOnce() {
    TaskReport r = counted().toBuilder().ran(6).seconds(4).build();
    assertThat(r.ran()).isEqualTo(6);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.seconds()).isEqualTo(4.0);
    assertThat(counted().toBuilder().build()).isEqualTo(counted());
    assertThatThrownBy(() -> counted().toBuilder().ran(6).ran(7))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badValuesFailAtTheCall() {
    assertThatThrownBy(() -> TaskReport.builder(" ", "h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("original must describe the original, got ' '");
    assertThatThrownBy(() -> TaskReport.builder("o", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("contentHash of o must be non-blank, got null");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").failed(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("failed must be >= 0, got -1");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").seconds(Double.NaN))
        .hasMessage("seconds must be finite and >= 0, got NaN");
    assertThatThrownBy(() -> TaskReport.builder("o", "h").error(""))
        .hasMessageContaining("error must say why the original failed, got ''");
  }

  @Test
  void buildReportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> TaskReport.builder("o", "h").ran(1).failed(2).error("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("task report of o: seconds is required; failed (2) must be <= ran (1);"
            + " an error is stage 1's (the original could not be trained), so it counts no"
            + " runs, got ran 1 and skipped 0");
  }

  @Test
  void equalsFollowsTheValues() {
    assertThat(counted()).isEqualTo(counted()).hasSameHashCodeAs(counted());
    assertThat(counted()).isNotEqualTo(counted().toBuilder().skipped(3).build());
  }
}
