package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading safetensors files, and the errors of files that are not what they claim. */
class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void readsEachTypeLittleEndianInRowMajorOrder() throws IOException {
    Path f = new SafetensorsFiles()
        .f32("a", new long[] {2, 3}, 1f, 2f, 3f, 4f, 5f, -6.5f)
        // binary16 1.0, -2.0, 65504 (largest), 2^-24 (smallest subnormal)
        .half("b", "F16", new long[] {4}, (short) 0x3c00, (short) 0xc000, (short) 0x7bff,
            (short) 0x0001)
        // bfloat16 1.0, -3.0, 2^-126 · 1.5
        .half("c", "BF16", new long[] {3, 1}, (short) 0x3f80, (short) 0xc040, (short) 0x00c0)
        .write(dir.resolve("m.safetensors"));
    Safetensors st = Safetensors.open(f);
    assertThat(st.header().metadata()).containsEntry("format", "pt");
    assertThat(st.header().tensors()).containsOnlyKeys("a", "b", "c");
    INDArray a = st.array("a");
    assertThat(a.shape()).containsExactly(2, 3);
    assertThat(a.getFloat(1, 2)).isEqualTo(-6.5f);
    assertThat(a.getFloat(0, 1)).isEqualTo(2f);
    assertThat(st.floats("b")).containsExactly(1f, -2f, 65504f, (float) Math.scalb(1.0, -24));
    assertThat(st.array("c").shape()).containsExactly(3, 1);
    assertThat(st.floats("c")).containsExactly(1f, -3f, (float) Math.scalb(1.5, -126));
    assertThatThrownBy(() -> st.array("d")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no tensor 'd'").hasMessageContaining("[a, b, c]");
  }

  @Test
  void otherTypesAreListedButNotReadAsWeights() throws IOException {
    Path f = new SafetensorsFiles().half("mask", "BOOL", new long[] {2}, (short) 0x0101)
        .write(dir.resolve("bool.st"));
    Safetensors st = Safetensors.open(f);
    assertThat(st.header().tensor("mask").orElseThrow().dtype()).isEqualTo(SafetensorsDtype.BOOL);
    assertThatThrownBy(() -> st.floats("mask")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'mask' is BOOL [2]").hasMessageContaining("[F32, F16, BF16]");
  }

  @Test
  void aScalarIsARankZeroArray() throws IOException {
    Path f = new SafetensorsFiles().f32("s", new long[0], -10000f).write(dir.resolve("s.st"));
    INDArray s = Safetensors.open(f).array("s");
    assertThat(s.rank()).isZero();
    assertThat(s.getFloat(0)).isEqualTo(-10000f);
  }

  @Test
  void everyHeaderProblemIsNamedAtOnce() throws IOException {
    String json = "{\"ok\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"odd\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[8,16]},"
        + "\"short\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,20]},"
        + "\"clash\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"noshape\":{\"dtype\":\"F32\",\"data_offsets\":[20,24]}}";
    Path f = SafetensorsFiles.write(dir.resolve("bad.st"), json, new byte[24]);
    assertThatThrownBy(() -> Safetensors.open(f)).isInstanceOfSatisfying(
        CheckpointException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
            p -> assertThat(p).contains("'odd' has dtype F12").contains("does not define")
                .contains("BF16"),
            p -> assertThat(p).contains("'short'").contains("4 bytes")
                .contains("shape [3] of F16 needs 6"),
            p -> assertThat(p).contains("'noshape' has shape null"),
            p -> assertThat(p).contains("'ok' [0, 8) and 'clash' [4, 8) overlap")))
        .hasMessageContaining(f.toString());
  }

  @Test
  void aBadLengthOrJsonIsNotTakenForAHeader() throws IOException {
    Path tiny = Files.write(dir.resolve("tiny"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Safetensors.open(tiny)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("3 bytes, fewer than the 8");
    byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40)
        .array();
    Path h = Files.write(dir.resolve("huge"), huge);
    assertThatThrownBy(() -> Safetensors.open(h)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("header length is 1099511627776 bytes")
        .hasMessageContaining("must be in [1, 8]");
    Path notJson = SafetensorsFiles.write(dir.resolve("nj"), "{\"a\": [1,", new byte[0]);
    assertThatThrownBy(() -> Safetensors.open(notJson)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("the header is not JSON");
  }

  @Test
  void aTruncatedDataSectionNamesEachTensorItCannotHold() throws IOException {
    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[8,16]},"
        + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
    Path f = SafetensorsFiles.write(dir.resolve("cut"), json, new byte[10]);
    assertThat(SafetensorsHeader.read(f).tensors()).hasSize(3); // the header alone is fine
    assertThatThrownBy(() -> Safetensors.open(f)).isInstanceOfSatisfying(
        CheckpointException.class, e -> assertThat(e.problems()).satisfiesExactly(
            p -> assertThat(p).contains("'b' needs bytes [8, 16)").contains("which has 10"),
            p -> assertThat(p).contains("'c' needs bytes [16, 20)")));
  }
}
