package dev.ablation.study.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes that a crash (even {@code kill -9}) leaves either complete or absent, never torn. */
final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes {@code text} to a temporary file of its own beside {@code target} (a unique name
   * ending in {@value #TMP}, so concurrent writers never share one), syncs it, and renames it
   * over {@code target}. A reader sees the old file or the new one, never a mix.
   */
  static void write(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      // what createDirectories says when a file of that name is in the way: say that instead
      throw new FileSystemException(target.toString(), null, dir + " is not a directory (a "
          + "file of that name is in the way)");
    }
    // a random name created exclusively (CREATE_NEW): unique like Files.createTempFile, but
    // with the umask's permissions rather than owner-only ones
    Path tmp = dir.resolve(target.getFileName() + "." + java.util.UUID.randomUUID() + TMP);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        writeFully(ch, text);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp); // only left when the write or the move failed
    }
    syncDirectory(dir);
  }

  /** The suffix of temporary files: a file ending in it is an interrupted write. */
  static final String TMP = ".tmp";

  /**
   * Appends one complete line with a single write and syncs it. A kill can at worst leave a
   * torn last line, which {@link #dropTornTail} removes.
   */
  static void appendLine(Path file, String line) throws IOException {
    if (!line.endsWith("\n")) {
      throw new IllegalArgumentException("a line must end in \\n");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      writeFully(ch, line);
      ch.force(false);
    }
  }

  /**
   * Truncates {@code file} after its last {@code \n}: drops a line a crash left half-written.
   *
   * @return the number of bytes dropped
   */
  static long dropTornTail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      long size = ch.size();
      long keep = size;
      ByteBuffer one = ByteBuffer.allocate(1);
      while (keep > 0) {
        one.clear();
        ch.read(one, keep - 1);
        if (one.get(0) == '\n') {
          break;
        }
        keep--;
      }
      if (keep < size) {
        ch.truncate(keep);
        ch.force(true);
      }
      return size - keep;
    }
  }

  private static void writeFully(FileChannel ch, String text) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static void syncDirectory(Path dir) {
    // Makes the rename itself durable on Linux; other systems may refuse to open a directory.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort
    }
  }
}
