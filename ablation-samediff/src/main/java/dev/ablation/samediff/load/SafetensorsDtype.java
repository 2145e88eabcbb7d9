package dev.ablation.samediff.load;

import java.util.Arrays;
import java.util.Optional;

/**
 * The element types of a safetensors file that this reader widens to float32: the ones
 * PyTorch checkpoints are saved in. Others ({@code F64}, integers, {@code F8_*}) are refused,
 * naming these.
 */
public enum SafetensorsDtype {
  /** IEEE binary32. */
  F32(4),
  /** IEEE binary16, widened exactly. */
  F16(2),
  /** bfloat16 (a float's upper 16 bits), widened exactly. */
  BF16(2);

  private final int bytes;

  SafetensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The type spelled as in a header ({@code "F32"}), if this reader knows it. */
  static Optional<SafetensorsDtype> of(String spelled) {
    return Arrays.stream(values()).filter(d -> d.name().equals(spelled)).findFirst();
  }
}
