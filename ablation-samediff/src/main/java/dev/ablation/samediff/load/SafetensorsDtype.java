package dev.ablation.samediff.load;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The element types of the safetensors format. Every one can appear in a header (a GPT-2
 * checkpoint may hold its causal mask buffers as {@code BOOL} or {@code U8}); this reader widens
 * the three that weights are saved in — {@link #F32}, {@link #F16}, {@link #BF16} — to float32
 * and refuses to read the others as weights, naming these.
 */
public enum SafetensorsDtype {
  /** Boolean, one byte. */
  BOOL(1),
  /** Unsigned 8-bit integer. */
  U8(1),
  /** Signed 8-bit integer. */
  I8(1),
  /** 8-bit float, 4 exponent and 3 mantissa bits. */
  F8_E4M3(1),
  /** 8-bit float, 5 exponent and 2 mantissa bits. */
  F8_E5M2(1),
  /** Signed 16-bit integer. */
  I16(2),
  /** Unsigned 16-bit integer. */
  U16(2),
  /** IEEE binary16, widened exactly. */
  F16(2),
  /** bfloat16 (a float's upper 16 bits), widened exactly. */
  BF16(2),
  /** Signed 32-bit integer. */
  I32(4),
  /** Unsigned 32-bit integer. */
  U32(4),
  /** IEEE binary32. */
  F32(4),
  /** IEEE binary64 (not read: narrowing would round). */
  F64(8),
  /** Signed 64-bit integer. */
  I64(8),
  /** Unsigned 64-bit integer. */
  U64(8);

  /** The types read as float32 weights, each exactly. */
  public static final List<SafetensorsDtype> READABLE = List.of(F32, F16, BF16);

  private final int bytes;

  SafetensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether this reader widens it exactly to float32. */
  public boolean readable() {
    return READABLE.contains(this);
  }

  /** The type spelled as in a header ({@code "F32"}), if the format has it. */
  static Optional<SafetensorsDtype> of(String spelled) {
    return Arrays.stream(values()).filter(d -> d.name().equals(spelled)).findFirst();
  }
}
