package dev.ablation.api.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The commit a run's code was at, read from the git work tree the run was started in (the
 * directory {@code user.dir} or one above it), without running {@code git}: {@code .git/HEAD},
 * the ref it names, or {@code packed-refs}. Empty outside a work tree, or where the layout is
 * one this reader does not know (a worktree's {@code .git} file is followed).
 */
public final class GitCommit {
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

  private GitCommit() {}

  /** The commit of the work tree holding the current directory, if any. */
  public static Optional<String> ofWorkingDirectory() {
    return of(Path.of(System.getProperty("user.dir", ".")));
  }

  /** The commit of the work tree holding {@code dir}, if any. */
  public static Optional<String> of(Path dir) {
    try {
      for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
        Path git = d.resolve(".git");
        if (Files.isDirectory(git)) {
          return head(git, git);
        }
        if (Files.isRegularFile(git)) {
          // a linked worktree: "gitdir: <path>", whose commondir holds the shared refs
          String line = Files.readString(git, StandardCharsets.UTF_8).strip();
          if (!line.startsWith("gitdir:")) {
            return Optional.empty();
          }
          Path gitDir = d.resolve(line.substring("gitdir:".length()).strip()).normalize();
          Path common = gitDir;
          Path commonFile = gitDir.resolve("commondir");
          if (Files.isRegularFile(commonFile)) {
            common = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).strip())
                .normalize();
          }
          return head(gitDir, common);
        }
      }
    } catch (IOException | RuntimeException e) {
      // provenance is best effort: a run is not refused for an unreadable .git
    }
    return Optional.empty();
  }

  private static Optional<String> head(Path gitDir, Path common) throws IOException {
    String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).strip();
    if (SHA.matcher(head).matches()) {
      return Optional.of(head); // detached
    }
    if (!head.startsWith("ref:")) {
      return Optional.empty();
    }
    String ref = head.substring("ref:".length()).strip();
    for (Path base : new Path[] {gitDir, common}) {
      Path loose = base.resolve(ref);
      if (Files.isRegularFile(loose)) {
        String sha = Files.readString(loose, StandardCharsets.UTF_8).strip();
        return SHA.matcher(sha).matches() ? Optional.of(sha) : Optional.empty();
      }
    }
    Path packed = common.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
        String[] parts = line.strip().split(" ");
        if (parts.length == 2 && parts[1].equals(ref) && SHA.matcher(parts[0]).matches()) {
          return Optional.of(parts[0]);
        }
      }
    }
    return Optional.empty();
  }
}
