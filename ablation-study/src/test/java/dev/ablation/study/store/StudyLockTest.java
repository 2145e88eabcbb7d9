package dev.ablation.study.store;

import dev.ablation.study.store.StudyLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyLockTest {
  @TempDir Path dir;

  @Test
  void theLockNamesItsHolderAndIsReleasedOnClose() throws IOException {
    try (StudyLock lock = StudyLock.acquire(dir)) {
      String text = Files.readString(dir.resolve(StudyLock.FILE), StandardCharsets.UTF_8);
      assertThat(text).contains("\"pid\" : " + ProcessHandle.current().pid())
          .contains(StudyLock.hostName()).contains("acquired");
      assertThat(lock.tookOverFrom()).isEmpty();
      assertThat(StudyLock.liveHolder(dir)).hasValue(lock.holder());
    }
    assertThat(dir.resolve(StudyLock.FILE)).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary files left").isEmpty();
    }
  }

  @Test
  void aSecondStudyIsRefusedWithTheHolderNamed() {
    try (StudyLock first = StudyLock.acquire(dir)) {
      assertThatThrownBy(() -> StudyLock.acquire(dir))
          .isInstanceOf(StudyLock.LockedException.class)
          .hasMessageContaining("in use by another study")
          .hasMessageContaining("process " + ProcessHandle.current().pid())
          .hasMessageContaining(StudyLock.hostName())
          .hasMessageContaining(dir.resolve(StudyLock.FILE).toString());
      assertThat(dir.resolve(StudyLock.FILE)).exists();
    }
  }

  @Test
  void aLockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process p = new ProcessBuilder(javaBin(), "-version").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    StudyLock.Holder dead = new StudyLock.Holder(p.pid(), StudyLock.hostName(),
        Optional.empty(), Instant.parse("2026-01-01T00:00:00Z"));
    Files.writeString(dir.resolve(StudyLock.FILE), dead.toJson(), StandardCharsets.UTF_8);
    assertThat(dead.isGone()).isTrue();
    try (StudyLock lock = StudyLock.acquire(dir)) {
      assertThat(lock.tookOverFrom()).hasValue(dead);
      assertThat(Files.readString(dir.resolve(StudyLock.FILE), StandardCharsets.UTF_8))
          .contains("\"pid\" : " + ProcessHandle.current().pid());
    }
  }

  @Test
  void aLiveProcessWithAReusedIdIsNotTheHolder() throws IOException {
    // this JVM's id, but a start time this JVM does not have: the id was reused
    StudyLock.Holder reused = new StudyLock.Holder(ProcessHandle.current().pid(),
        StudyLock.hostName(), Optional.of(Instant.parse("2001-01-01T00:00:00Z")), Instant.now());
    assertThat(reused.isGone()).isEqualTo(
        ProcessHandle.current().info().startInstant().isPresent());
  }

  @Test
  void aLockFromAnotherHostIsRefusedAndNotTakenOver() throws IOException {
    StudyLock.Holder remote = new StudyLock.Holder(1, "elsewhere.example", Optional.empty(),
        Instant.now());
    Files.writeString(dir.resolve(StudyLock.FILE), remote.toJson(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StudyLock.acquire(dir))
        .isInstanceOf(StudyLock.LockedException.class)
        .hasMessageContaining("elsewhere.example").hasMessageContaining("another host");
    assertThat(Files.readString(dir.resolve(StudyLock.FILE), StandardCharsets.UTF_8))
        .isEqualTo(remote.toJson());
  }

  @Test
  void anUnreadableLockFileIsNamed() throws IOException {
    Files.writeString(dir.resolve(StudyLock.FILE), "garbage", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StudyLock.acquire(dir))
        .hasMessageContaining(dir.resolve(StudyLock.FILE).toString())
        .hasMessageContaining("delete it if no study is running");
  }

  @Test
  void closingDoesNotDeleteAnotherHoldersLock() throws IOException {
    StudyLock lock = StudyLock.acquire(dir);
    StudyLock.Holder other = new StudyLock.Holder(1, "elsewhere.example", Optional.empty(),
        Instant.now());
    Files.writeString(dir.resolve(StudyLock.FILE), other.toJson(), StandardCharsets.UTF_8);
    lock.close();
    assertThat(dir.resolve(StudyLock.FILE)).exists();
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
