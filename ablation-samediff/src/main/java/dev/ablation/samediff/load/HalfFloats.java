package dev.ablation.samediff.load;

/**
 * The two 16-bit float formats of checkpoints, widened exactly to {@code float}. Java 17 has no
 * float16 type ({@code Float.float16ToFloat} came in Java 20), and every value of either format
 * is exactly a {@code float}, so the conversion is pure bit arithmetic: no rounding, NaN payloads
 * and the sign of zero kept.
 */
final class HalfFloats {
  private HalfFloats() {}

  /**
   * IEEE 754 binary16 (1 sign, 5 exponent, 10 fraction bits; PyTorch's {@code float16},
   * safetensors' {@code F16}) as a float.
   */
  static float f16ToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int fraction = h & 0x3ff;
    if (exponent == 0x1f) { // infinities and NaNs: all-ones exponent, fraction moved up
      return Float.intBitsToFloat(sign | 0x7f800000 | fraction << 13);
    }
    if (exponent != 0) { // normal: re-bias the exponent from 15 to 127
      return Float.intBitsToFloat(sign | (exponent + 112) << 23 | fraction << 13);
    }
    if (fraction == 0) {
      return Float.intBitsToFloat(sign); // ±0
    }
    // subnormal: fraction · 2^-24, normal as a float; shift the leading one into place
    int shift = Integer.numberOfLeadingZeros(fraction) - 21; // 1..10 for a 10-bit fraction
    int e = 113 - shift; // 2^-14 · 2^-shift in float's bias
    int f = (fraction << shift) & 0x3ff;
    return Float.intBitsToFloat(sign | e << 23 | f << 13);
  }

  /**
   * bfloat16 (the upper half of a float: 1 sign, 8 exponent, 7 fraction bits; PyTorch's
   * {@code bfloat16}, safetensors' {@code BF16}) as a float.
   */
  static float bf16ToFloat(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }
}
