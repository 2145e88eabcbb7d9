package dev.ablation.api;

import java.util.List;

/** Natural order of paths: index segments numerically ({@code blocks.2} before {@code blocks.10}). */
final class PathOrder {
  private PathOrder() {}

  static int compare(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      String x = a.get(i);
      String y = b.get(i);
      boolean xi = PathSyntax.isIndex(x);
      boolean yi = PathSyntax.isIndex(y);
      int c;
      if (xi && yi) {
        c = Long.compare(Long.parseLong(x), Long.parseLong(y));
      } else if (xi != yi) {
        c = xi ? -1 : 1;
      } else {
        c = x.compareTo(y);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }
}
