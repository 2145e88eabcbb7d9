package dev.ablation.samediff.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.Gpt2Model;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2 small's key list and shapes, from a header-only copy of its {@code model.safetensors}
 * (gpt2/make_gpt2_small_header.py), and the variants real files come in.
 */
class Gpt2CheckpointHeaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static Path small() throws URISyntaxException {
    return Path.of(Gpt2CheckpointHeaderTest.class
        .getResource("/gpt2/gpt2-small.header.safetensors").toURI());
  }

  /** The header-only file with its JSON changed by {@code edit}. */
  private Path variant(String name, Consumer<ObjectNode> edit) throws Exception {
    byte[] all = Files.readAllBytes(small());
    ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, all.length - 8,
        java.nio.charset.StandardCharsets.UTF_8));
    edit.accept(header);
    return SafetensorsFiles.write(dir.resolve(name), JSON.writeValueAsString(header),
        new byte[0]);
  }

  @Test
  void gpt2SmallsHeaderGivesItsSizes() throws Exception {
    Gpt2Checkpoint c = Gpt2Checkpoint.read(small());
    assertThat(c.sizes()).isEqualTo(new Gpt2Checkpoint.Gpt2Sizes(12, 768, 1024, 50257));
    Gpt2Config config = c.config(12, 1024);
    // every parameter of the layout is in the file with its shape; only buffers are left over
    Gpt2Model.parameterShapes(config).forEach((k, shape) ->
        assertThat(c.header().tensor(k).orElseThrow().shape()).as(k).isEqualTo(shape));
    assertThat(c.header().tensors().size() - Gpt2Model.parameterShapes(config).size())
        .isEqualTo(12); // h.{i}.attn.bias
    assertThatThrownBy(() -> c.config(5, 64)).hasMessageContaining("n_head=5 does not divide"
        + " n_embd=768");
  }

  @Test
  void thePrefixedHeadedAndMaskedVariantsReadAlike() throws Exception {
    Path v = variant("prefixed", h -> {
      ObjectNode renamed = JSON.createObjectNode();
      h.fields().forEachRemaining(f -> renamed.set(f.getKey().startsWith("__") ? f.getKey()
          : "transformer." + f.getKey(), f.getValue()));
      long n = 50257L * 768 * 4;
      ObjectNode head = renamed.putObject("lm_head.weight");
      head.put("dtype", "F32");
      head.putArray("shape").add(50257).add(768);
      head.putArray("data_offsets").add(600_000_000L).add(600_000_000L + n);
      for (int i = 0; i < 12; i++) {
        ObjectNode m = renamed.putObject("transformer.h." + i + ".attn.masked_bias");
        m.put("dtype", "F32");
        m.putArray("shape");
        m.putArray("data_offsets").add(800_000_000L + 4 * i).add(800_000_004L + 4 * i);
      }
      h.removeAll();
      h.setAll(renamed);
    });
    assertThat(Gpt2Checkpoint.read(v).sizes())
        .isEqualTo(new Gpt2Checkpoint.Gpt2Sizes(12, 768, 1024, 50257));
  }

  @Test
  void everyMissingUnexpectedOrMisshapedTensorIsNamedAtOnce() throws Exception {
    Path v = variant("broken", h -> {
      h.remove("h.3.mlp.c_fc.bias");
      h.remove("ln_f.weight");
      // the same bytes, another shape
      ((ObjectNode) h.get("h.7.attn.c_proj.weight")).putArray("shape").add(1536).add(384);
      ObjectNode extra = h.putObject("h.0.attn.rotary");
      extra.put("dtype", "F32");
      extra.putArray("shape").add(2);
      extra.putArray("data_offsets").add(900_000_000L).add(900_000_008L);
      ObjectNode head = h.putObject("lm_head.weight");
      head.put("dtype", "F32");
      head.putArray("shape").add(100).add(768);
      head.putArray("data_offsets").add(800_000_000L).add(800_000_000L + 100 * 768 * 4);
    });
    assertThatThrownBy(() -> Gpt2Checkpoint.read(v)).isInstanceOfSatisfying(
        CheckpointException.class, e -> assertThat(e.problems()).satisfiesExactlyInAnyOrder(
            p -> assertThat(p).isEqualTo("missing h.3.mlp.c_fc.bias [3072]"),
            p -> assertThat(p).isEqualTo("missing ln_f.weight [768]"),
            p -> assertThat(p).contains("'h.7.attn.c_proj.weight' has shape [1536, 384]")
                .contains("needs [768, 768]"),
            p -> assertThat(p).contains("unexpected 'h.0.attn.rotary' [2]"),
            p -> assertThat(p).contains("'lm_head.weight' has shape [100, 768], not wte's"
                + " [50257, 768]")));
  }

  @Test
  void aFileWithoutEmbeddingsIsNotTakenForGpt2() throws IOException {
    Path f = new SafetensorsFiles().f32("encoder.w", new long[] {1}, 1f)
        .write(dir.resolve("other.st"));
    assertThatThrownBy(() -> Gpt2Checkpoint.read(f)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("is not a GPT-2 checkpoint")
        .hasMessageContaining("wte.weight missing").hasMessageContaining("[encoder.w]");
  }
}
