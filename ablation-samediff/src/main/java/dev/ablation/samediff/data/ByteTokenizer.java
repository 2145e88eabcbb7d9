package dev.ablation.samediff.data;

import java.nio.charset.StandardCharsets;

/** UTF-8 bytes as tokens: vocabulary 256, any text. */
public final class ByteTokenizer implements Tokenizer {

  @Override
  public int vocab() {
    return 256;
  }

  @Override
  public int[] encode(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      ids[i] = b[i] & 0xff;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    byte[] b = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] > 255) {
        throw new IllegalArgumentException("byte token " + ids[i] + " at position " + i
            + " is outside [0, 256)");
      }
      b[i] = (byte) ids[i];
    }
    return new String(b, StandardCharsets.UTF_8);
  }
}
