package dev.ablation.api;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.regex.Pattern;

/** Parsing and validation shared by {@link LayerPath} and {@link ParameterPath}. */
final class PathSyntax {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");

  private PathSyntax() {}

  static ImmutableList<String> parse(String kind, String text) {
    if (text == null) {
      throw new IllegalArgumentException(kind + " must not be null");
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException(
          kind + " '' is empty; expected dot-separated names and indices such as 'blocks.3'");
    }
    // split with limit -1 keeps trailing empty segments so that 'blocks.' is rejected
    return validate(kind, text, List.of(text.split("\\.", -1)));
  }

  static ImmutableList<String> validate(String kind, String text, List<String> segments) {
    if (segments.isEmpty()) {
      throw new IllegalArgumentException(kind + " has no segments; expected e.g. 'blocks.3'");
    }
    for (int i = 0; i < segments.size(); i++) {
      String s = segments.get(i);
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException(
            kind + " '" + text + "': segment " + i + " is empty (doubled, leading or trailing dot)");
      }
      if (!NAME.matcher(s).matches() && !INDEX.matcher(s).matches()) {
        throw new IllegalArgumentException(
            kind + " '" + text + "': segment '" + s + "' is neither a name ([A-Za-z_][A-Za-z0-9_]*)"
                + " nor an index (0 or a number without leading zeros)");
      }
    }
    if (isIndex(segments.get(0))) {
      throw new IllegalArgumentException(
          kind + " '" + text + "': must start with a name, not the index '" + segments.get(0) + "'");
    }
    return ImmutableList.copyOf(segments);
  }

  static boolean isIndex(String segment) {
    return INDEX.matcher(segment).matches();
  }
}
