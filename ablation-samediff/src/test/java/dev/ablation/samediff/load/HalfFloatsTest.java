package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Every one of the 65,536 bit patterns of each 16-bit format against its value computed from
 * the format's definition in double arithmetic ({@code (-1)^s · 2^(e - bias) · (1 + f / 2^m)},
 * subnormals {@code 2^(1 - bias) · f / 2^m}): a second derivation, not the bit shifts again.
 */
class HalfFloatsTest {

  @Test
  void everyFloat16ValueWidensExactly() {
    int nans = 0;
    for (int bits = 0; bits < 1 << 16; bits++) {
      float got = HalfFloats.f16ToFloat((short) bits);
      int sign = bits >>> 15;
      int e = (bits >>> 10) & 0x1f;
      int f = bits & 0x3ff;
      if (e == 0x1f && f != 0) {
        nans++;
        assertThat(Float.isNaN(got)).as("0x%04x", bits).isTrue();
        // the payload travels: its 10 bits are the float's top fraction bits
        assertThat((Float.floatToRawIntBits(got) >>> 13) & 0x3ff).as("0x%04x", bits).isEqualTo(f);
        assertThat(Float.floatToRawIntBits(got) >>> 31).isEqualTo(sign);
        continue;
      }
      double expected = e == 0x1f ? Double.POSITIVE_INFINITY
          : e == 0 ? Math.scalb((double) f, -24)
          : Math.scalb(1.0 + f / 1024.0, e - 15);
      expected = sign == 1 ? -expected : expected;
      assertThat(Double.doubleToRawLongBits(got))
          .as("0x%04x: expected %s, got %s", bits, expected, got)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
    assertThat(nans).isEqualTo(2 * 1023);
    assertThat(HalfFloats.f16ToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(HalfFloats.f16ToFloat((short) 0x7bff)).isEqualTo(65504.0f);
  }

  @Test
  void everyBfloat16ValueWidensExactly() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float got = HalfFloats.bf16ToFloat((short) bits);
      int sign = bits >>> 15;
      int e = (bits >>> 7) & 0xff;
      int f = bits & 0x7f;
      if (e == 0xff && f != 0) {
        assertThat(Float.isNaN(got)).as("0x%04x", bits).isTrue();
        assertThat(Float.floatToRawIntBits(got) >>> 16).isEqualTo(bits);
        continue;
      }
      double expected = e == 0xff ? Double.POSITIVE_INFINITY
          : e == 0 ? Math.scalb((double) f, -133)
          : Math.scalb(1.0 + f / 128.0, e - 127);
      expected = sign == 1 ? -expected : expected;
      assertThat(Double.doubleToRawLongBits(got))
          .as("0x%04x: expected %s, got %s", bits, expected, got)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
  }
}
