package dev.ablation.study.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One writer per study directory: a lock file ({@code study.lock}) naming the holder — process
 * id, host and start time. Why: two studies writing the same {@code --out} at once would run the
 * same runs twice and interleave their files; the second one is refused, with the holder named
 * so the user can tell whether it still runs.
 *
 * <p>A lock whose holder is gone is <em>stale</em> and taken over: the holder ran on this host
 * and no process of that id is alive, or the live one started at another time (the id was
 * reused). A lock from another host cannot be checked from here; it is refused with the path to
 * delete once the user knows that study has stopped.
 *
 * <p>The lock file is created in one step (a hard link to a complete, uniquely named temporary
 * file), so a reader never sees a half-written holder. Closing the lock deletes the file if it
 * is still this holder's.
 */
public final class StudyLock implements AutoCloseable {
  /** The lock's file name inside the study directory. */
  public static final String FILE = "study.lock";

  private final Path file;
  private final Holder holder;
  private final Optional<Holder> tookOverFrom;
  private boolean released;

  private StudyLock(Path file, Holder holder, Optional<Holder> tookOverFrom) {
    this.file = file;
    this.holder = holder;
    this.tookOverFrom = tookOverFrom;
  }

  /**
   * Who holds a lock.
   *
   * @param pid the holder's process id
   * @param host the holder's host name
   * @param processStart when the holder's process started (to tell a reused id apart), if known
   * @param acquired when the lock was taken
   */
  public record Holder(long pid, String host, Optional<Instant> processStart, Instant acquired) {
    /** Validates the fields. */
    public Holder {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(processStart, "processStart");
      Objects.requireNonNull(acquired, "acquired");
    }

    /** This process, now. */
    public static Holder current() {
      ProcessHandle self = ProcessHandle.current();
      return new Holder(self.pid(), hostName(), self.info().startInstant(), Instant.now());
    }

    /** Whether the holder is known to be gone: it ran on this host and its process is not alive. */
    public boolean isGone() {
      if (!host.equals(hostName())) {
        return false;
      }
      Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return true;
      }
      Optional<Instant> started = p.get().info().startInstant();
      // a live process with the same id that started at another time is someone else
      return processStart.isPresent() && started.isPresent()
          && !started.get().equals(processStart.get());
    }

    @Override
    public String toString() {
      return "process " + pid + " on " + host + " (lock taken " + acquired + ")";
    }

    String toJson() {
      ObjectNode n = RecordJson.MAPPER.createObjectNode();
      n.put("pid", pid);
      n.put("host", host);
      processStart.ifPresent(s -> n.put("process_start", s.toString()));
      n.put("acquired", acquired.toString());
      return RecordJson.write(n);
    }

    static Holder fromJson(Path file, String text) {
      try {
        JsonNode n = RecordJson.MAPPER.readTree(text);
        if (n == null || !n.hasNonNull("pid") || !n.hasNonNull("host")
            || !n.hasNonNull("acquired")) {
          throw new IllegalStateException("lock file " + file + " is not a study lock (needs pid,"
              + " host and acquired): " + text.strip() + "; delete it if no study is running");
        }
        Optional<Instant> start = n.hasNonNull("process_start")
            ? Optional.of(Instant.parse(n.get("process_start").asText())) : Optional.empty();
        return new Holder(n.get("pid").asLong(), n.get("host").asText(), start,
            Instant.parse(n.get("acquired").asText()));
      } catch (IOException | java.time.format.DateTimeParseException e) {
        throw new IllegalStateException("lock file " + file + " is unreadable (" + e.getMessage()
            + "); delete it if no study is running", e);
      }
    }
  }

  /** Thrown when another live study holds the directory. */
  public static final class LockedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final transient Holder holder;

    LockedException(Path file, Holder holder) {
      super(file.getParent() + " is in use by another study: " + holder
          + (holder.host().equals(hostName()) ? "" : "; it runs on another host, so this one "
              + "cannot tell whether it is still alive")
          + ". Wait for it to finish, or choose another --out; if you are sure no study runs "
          + "there, delete " + file);
      this.holder = holder;
    }

    /** The holder. */
    public Holder holder() {
      return holder;
    }
  }

  /**
   * Takes the lock of {@code dir} (which must exist) for this process.
   *
   * @throws LockedException if another live study holds it
   * @throws IllegalStateException if the lock file is unreadable (its path is named)
   * @throws UncheckedIOException if the directory cannot be written
   */
  public static StudyLock acquire(Path dir) {
    Path file = dir.resolve(FILE);
    Holder me = Holder.current();
    Optional<Holder> tookOver = Optional.empty();
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        if (create(file, me)) {
          return new StudyLock(file, me, tookOver);
        }
        Optional<String> text = read(file);
        if (text.isEmpty()) {
          continue; // released between our two calls: try again
        }
        Holder other = Holder.fromJson(file, text.get());
        if (!other.isGone()) {
          throw new LockedException(file, other);
        }
        if (takeOver(file, text.get())) {
          tookOver = Optional.of(other);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + dir + ": cannot write " + file + " ("
          + e + ")", e);
    }
    throw new IllegalStateException("cannot lock " + dir + ": " + file + " keeps changing; "
        + "another study is starting there");
  }

  /** The live holder of {@code dir}'s lock, if any (a stale lock counts as none). */
  public static Optional<Holder> liveHolder(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      return read(file).map(t -> Holder.fromJson(file, t)).filter(h -> !h.isGone());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (" + e + ")", e);
    }
  }

  private static boolean create(Path file, Holder me) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), FILE + ".", ".tmp");
    try {
      Files.writeString(tmp, me.toJson(), StandardCharsets.UTF_8);
      try {
        Files.createLink(file, tmp); // atomic, and fails if the lock exists
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException e) {
        // no hard links here: exclusive create, then content (a reader may see it empty briefly)
        try {
          Files.writeString(file, me.toJson(), StandardCharsets.UTF_8,
              java.nio.file.StandardOpenOption.CREATE_NEW,
              java.nio.file.StandardOpenOption.WRITE);
          return true;
        } catch (FileAlreadyExistsException taken) {
          return false;
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Moves a stale lock aside, checking that what was moved is the stale holder's and not a new
   * holder's that appeared meanwhile (then it is put back).
   */
  private static boolean takeOver(Path file, String staleText) throws IOException {
    Path aside = file.resolveSibling(FILE + ".stale-" + UUID.randomUUID());
    try {
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return false;
    }
    String moved = Files.readString(aside, StandardCharsets.UTF_8);
    if (!moved.equals(staleText)) {
      try {
        Files.createLink(file, aside);
      } catch (FileAlreadyExistsException | UnsupportedOperationException e) {
        // a third study took it meanwhile; it holds the lock now
      }
      Files.delete(aside);
      return false;
    }
    Files.delete(aside);
    return true;
  }

  private static Optional<String> read(Path file) throws IOException {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  static String hostName() {
    return HostName.NAME;
  }

  /** Looked up once: a name lookup can take seconds where DNS is slow. */
  private static final class HostName {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "unknown-host" : env;
      }
    }
  }

  /** This lock's holder (this process). */
  public Holder holder() {
    return holder;
  }

  /** The stale holder this lock was taken over from, if it was. */
  public Optional<Holder> tookOverFrom() {
    return tookOverFrom;
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /** Deletes the lock file if it is still this holder's. Idempotent. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      Optional<String> text = read(file);
      if (text.isPresent() && text.get().equals(holder.toJson())) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock " + file + " (" + e + ")", e);
    }
  }
}
