package dev.ablation.samediff;

import dev.ablation.api.ParameterKind;
import dev.ablation.api.ParameterPath;
import java.util.Objects;

/**
 * One parameter of a layer map: its path, the SameDiff variable that holds it, its kind and
 * the rule it was (or would be) initialised with.
 *
 * @param path the API path, e.g. {@code blocks.3.attn.W_Q}
 * @param variable the SameDiff variable name, e.g. {@code blocks/3/attn/W_Q}
 * @param kind its role
 * @param init how to draw it fresh
 */
public record ParameterSpec(ParameterPath path, String variable, ParameterKind kind,
    InitRule init) {
  /** Validates the fields. */
  public ParameterSpec {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(init, "init");
    if (variable == null || variable.isEmpty()) {
      throw new IllegalArgumentException("parameter " + path + " needs a variable name");
    }
  }
}
