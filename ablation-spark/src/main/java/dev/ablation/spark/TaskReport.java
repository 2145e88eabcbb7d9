package dev.ablation.spark;

import dev.ablation.api.internal.SetOnce;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a task tells the driver: counts and an error text, never results (those are the
 * record files the task wrote).
 *
 * <p>A class with a builder rather than a record of seven components: three of them are
 * counts of the same runs that a positional call could swap unseen, and a report either
 * counts runs or says why its original could not be trained, never both. Serializable, since
 * Spark ships it from an executor to the driver.
 */
public final class TaskReport implements Serializable {
  private static final long serialVersionUID = 2L;

  private final String original;
  private final String contentHash;
  private final int ran;
  private final int failed;
  private final int skipped;
  private final double seconds;
  private final String error;

  private TaskReport(Builder b) {
    this.original = b.original;
    this.contentHash = b.contentHash;
    this.ran = b.ran;
    this.failed = b.failed;
    this.skipped = b.skipped;
    this.seconds = b.seconds;
    this.error = b.error;
  }

  /**
   * A report on the task of one original: {@code original} describes it (e.g.
   * {@code tiny seed 1}), {@code contentHash} is its content hash. The counts default to 0,
   * the wall time must be given ({@link Builder#seconds(double)}).
   */
  public static Builder builder(String original, String contentHash) {
    return new Builder(original, contentHash);
  }

  /** A builder holding this report's values, each of which may be replaced once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The original's description. */
  public String original() {
    return original;
  }

  /** The original's content hash. */
  public String contentHash() {
    return contentHash;
  }

  /** Runs this task ran (including those that failed). */
  public int ran() {
    return ran;
  }

  /** Runs that ended as {@code FAILED}. */
  public int failed() {
    return failed;
  }

  /** Runs a previous attempt of this task had already written. */
  public int skipped() {
    return skipped;
  }

  /** The task's wall time. */
  public double seconds() {
    return seconds;
  }

  /** Why the original could not be trained (stage 1 only), or null. */
  public String error() {
    return error;
  }

  /** Why the original could not be trained, if it could not. */
  public Optional<String> failure() {
    return Optional.ofNullable(error);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskReport r && original.equals(r.original)
        && contentHash.equals(r.contentHash) && ran == r.ran && failed == r.failed
        && skipped == r.skipped && Double.compare(seconds, r.seconds) == 0
        && Objects.equals(error, r.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(original, contentHash, ran, failed, skipped, seconds, error);
  }

  @Override
  public String toString() {
    return "TaskReport[original=" + original + ", contentHash=" + contentHash + ", ran=" + ran
        + ", failed=" + failed + ", skipped=" + skipped + ", seconds=" + seconds + ", error="
        + error + "]";
  }

  private enum Field {
    RAN("ran"), FAILED("failed"), SKIPPED("skipped"), SECONDS("seconds"), ERROR("error");

    final String label;

    Field(String label) {
      this.label = label;
    }
  }

  /**
   * A {@link TaskReport} one value at a time. Each value is checked where it is given (counts
   * {@code >= 0}, a finite wall time {@code >= 0}, a non-blank error) and may be given once: a
   * second call fails naming it. Values copied by {@link TaskReport#toBuilder()} may each be
   * replaced once. {@link #build()} checks, and reports at once, a missing wall time, more
   * failed runs than ran, and an error beside counted runs.
   */
  public static final class Builder {
    private final String original;
    private final String contentHash;
    private int ran;
    private int failed;
    private int skipped;
    private double seconds = Double.NaN;
    private String error;
    private final SetOnce<Field> given = SetOnce.named(f -> f.label);

    private Builder(String original, String contentHash) {
      if (original == null || original.isBlank()) {
        throw new IllegalArgumentException("original must describe the original, got "
            + (original == null ? "null" : "'" + original + "'"));
      }
      if (contentHash == null || contentHash.isBlank()) {
        throw new IllegalArgumentException("contentHash of " + original
            + " must be non-blank, got " + (contentHash == null ? "null" : "'" + contentHash
            + "'"));
      }
      this.original = original;
      this.contentHash = contentHash;
    }

    private Builder(TaskReport r) {
      original = r.original;
      contentHash = r.contentHash;
      ran = r.ran;
      failed = r.failed;
      skipped = r.skipped;
      seconds = r.seconds;
      error = r.error;
    }

    private static int count(Field f, int n) {
      if (n < 0) {
        throw new IllegalArgumentException(f.label + " must be >= 0, got " + n);
      }
      return n;
    }

    /** Runs this task ran, including those that failed; 0 if not given. */
    public Builder ran(int n) {
      ran = given.set(Field.RAN, count(Field.RAN, n));
      return this;
    }

    /** Runs that ended as {@code FAILED}; 0 if not given. */
    public Builder failed(int n) {
      failed = given.set(Field.FAILED, count(Field.FAILED, n));
      return this;
    }

    /** Runs a previous attempt had already written; 0 if not given. */
    public Builder skipped(int n) {
      skipped = given.set(Field.SKIPPED, count(Field.SKIPPED, n));
      return this;
    }

    /** The task's wall time in seconds, finite and {@code >= 0}; required. */
    public Builder seconds(double s) {
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("seconds must be finite and >= 0, got " + s);
      }
      given.give(Field.SECONDS, seconds);
      seconds = s;
      return this;
    }

    /** Why the original could not be trained (stage 1 only); none if not given. */
    public Builder error(String why) {
      if (why == null || why.isBlank()) {
        throw new IllegalArgumentException("error must say why the original failed, got "
            + (why == null ? "null" : "'" + why + "'") + "; leave it unset when it did not");
      }
      given.give(Field.ERROR, error);
      error = why;
      return this;
    }

    /**
     * The report.
     *
     * @throws IllegalStateException naming every problem: no wall time, more failed runs than
     *     ran, or an error beside counted runs
     */
    public TaskReport build() {
      List<String> problems = new ArrayList<>();
      if (Double.isNaN(seconds)) {
        problems.add("seconds is required");
      }
      if (failed > ran) {
        problems.add("failed (" + failed + ") must be <= ran (" + ran + ")");
      }
      if (error != null && (ran > 0 || skipped > 0)) {
        problems.add("an error is stage 1's (the original could not be trained), so it counts"
            + " no runs, got ran " + ran + " and skipped " + skipped);
      }
      if (!problems.isEmpty()) {
        throw new IllegalStateException("task report of " + original + ": "
            + String.join("; ", problems));
      }
      return new TaskReport(this);
    }
  }
}
