package dev.ablation.samediff.load;

import dev.ablation.api.ParameterPath;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.model.Gpt2Config;
import dev.ablation.samediff.model.Gpt2Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GPT-2 checkpoint in safetensors form (Hugging Face's {@code model.safetensors}, or one
 * written from a PyTorch {@code state_dict} of the same layout), checked against
 * {@link Gpt2Model}'s layout from its header alone, then loaded into a SameDiff graph by name:
 *
 * <pre>{@code
 * Gpt2Checkpoint ckpt = Gpt2Checkpoint.read(Path.of("model.safetensors"));
 * SameDiffModel model = ckpt.load(ckpt.config(4, 32));   // n_head from config.json; context
 * }</pre>
 *
 * <p>The key variants of real GPT-2 files are accepted: a {@code transformer.} prefix
 * ({@code GPT2LMHeadModel}'s state dict); the attention buffers {@code h.{i}.attn.bias} and
 * {@code h.{i}.attn.masked_bias}, ignored (the graph builds its own causal mask); and
 * {@code lm_head.weight}, absent or equal to {@code wte.weight} (tied). Anything else missing,
 * unexpected or mis-shaped is refused, each named, in one {@link CheckpointException}.
 */
public final class Gpt2Checkpoint {
  private static final String PREFIX = "transformer.";
  private static final String HEAD = "lm_head.weight";
  private static final Pattern BLOCK = Pattern.compile("h\\.(\\d+)\\..*");
  private static final Pattern BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");

  private final Path file;
  private final SafetensorsHeader header;
  /** Parameter key (no prefix) → key in the file. */
  private final Map<String, String> keys;
  private final Optional<String> head;
  private final Gpt2Sizes sizes;

  /**
   * The sizes a checkpoint's shapes fix; {@code n_head} is not among them.
   *
   * @param nLayer blocks
   * @param nEmbd residual width
   * @param nPositions rows of {@code wpe}
   * @param vocab rows of {@code wte}
   */
  public record Gpt2Sizes(int nLayer, int nEmbd, int nPositions, int vocab) {}

  private Gpt2Checkpoint(Path file, SafetensorsHeader header, Map<String, String> keys,
      Optional<String> head, Gpt2Sizes sizes) {
    this.file = file;
    this.header = header;
    this.keys = keys;
    this.head = head;
    this.sizes = sizes;
  }

  /**
   * Reads {@code file}'s header and checks it against GPT-2's layout; the weights are read by
   * {@link #load}. A file holding only the header is enough for this check.
   *
   * @throws CheckpointException naming each problem: a bad header, {@code wte}/{@code wpe}
   *     missing (the sizes come from them), each tensor missing (with the shape it needs),
   *     unexpected or of another shape, an {@code lm_head.weight} not of {@code wte}'s shape
   */
  public static Gpt2Checkpoint read(Path file) {
    Objects.requireNonNull(file, "file");
    SafetensorsHeader header = SafetensorsHeader.read(file);
    List<String> problems = new ArrayList<>();
    Map<String, String> keys = new LinkedHashMap<>();
    Optional<String> head = Optional.empty();
    for (String k : header.tensors().keySet()) {
      String bare = k.startsWith(PREFIX) ? k.substring(PREFIX.length()) : k;
      if (BUFFER.matcher(bare).matches()) {
        continue;
      }
      if (bare.equals(HEAD)) {
        head = Optional.of(k);
        continue;
      }
      String previous = keys.put(bare, k);
      if (previous != null) {
        problems.add("'" + k + "' and '" + previous + "' are the same parameter");
      }
    }
    Optional<TensorEntry> wte = entry(header, keys, "wte.weight");
    Optional<TensorEntry> wpe = entry(header, keys, "wpe.weight");
    if (wte.isEmpty() || wpe.isEmpty() || wte.get().shape().size() != 2
        || wpe.get().shape().size() != 2) {
      problems.add("the sizes come from wte.weight [vocab, n_embd] and wpe.weight [n_positions,"
          + " n_embd], but the file has wte.weight " + wte.map(TensorEntry::shape)
          .map(Object::toString).orElse("missing") + ", wpe.weight " + wpe.map(
              TensorEntry::shape).map(Object::toString).orElse("missing") + "; its keys: "
          + header.tensors().keySet().stream().limit(12).toList());
      throw new CheckpointException(file + " is not a GPT-2 checkpoint", problems);
    }
    int layers = 0;
    for (String k : keys.keySet()) {
      Matcher m = BLOCK.matcher(k);
      if (m.matches()) {
        layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
      }
    }
    Gpt2Sizes sizes = new Gpt2Sizes(layers, Math.toIntExact(wte.get().shape().get(1)),
        Math.toIntExact(wpe.get().shape().get(0)), Math.toIntExact(wte.get().shape().get(0)));
    if (layers == 0) {
      problems.add("no blocks h.{i}.*: a GPT-2 checkpoint has at least one");
    } else {
      // any valid head count serves for the shapes; they do not depend on it
      Map<String, List<Long>> expected = Gpt2Model.parameterShapes(
          new Gpt2Config(layers, sizes.nEmbd(), 1, sizes.nPositions(), sizes.vocab(), 1));
      checkShapes(header, keys, expected, problems);
    }
    head.ifPresent(h -> {
      if (!header.tensors().get(h).shape().equals(wte.get().shape())) {
        problems.add("'" + h + "' has shape " + header.tensors().get(h).shape() + ", not wte's "
            + wte.get().shape() + ": only a head tied to wte (GPT-2's) is supported");
      }
    });
    if (!problems.isEmpty()) {
      throw new CheckpointException(file + " does not fit GPT-2's layout", problems);
    }
    return new Gpt2Checkpoint(file, header, keys, head, sizes);
  }

  private static Optional<TensorEntry> entry(SafetensorsHeader h, Map<String, String> keys,
      String key) {
    return Optional.ofNullable(keys.get(key)).map(h.tensors()::get);
  }

  private static void checkShapes(SafetensorsHeader header, Map<String, String> keys,
      Map<String, List<Long>> expected, List<String> problems) {
    for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
      String k = keys.get(e.getKey());
      if (k == null) {
        problems.add("missing " + e.getKey() + " " + e.getValue());
        continue;
      }
      TensorEntry t = header.tensors().get(k);
      if (!t.shape().equals(e.getValue())) {
        problems.add("'" + k + "' has shape " + t.shape() + ", but GPT-2's layout needs "
            + e.getValue());
      } else if (!t.dtype().readable()) {
        problems.add("'" + k + "' is " + t.dtype() + "; weights are read from "
            + SafetensorsDtype.READABLE);
      }
    }
    TreeSet<String> unexpected = new TreeSet<>(keys.keySet());
    unexpected.removeAll(expected.keySet());
    unexpected.forEach(u -> problems.add("unexpected '" + keys.get(u) + "' "
        + header.tensors().get(keys.get(u)).shape() + ": not part of GPT-2's layout"));
  }

  /** The sizes the checkpoint's shapes fix. */
  public Gpt2Sizes sizes() {
    return sizes;
  }

  /** The header it was checked from. */
  public SafetensorsHeader header() {
    return header;
  }

  /**
   * The config for a graph of this checkpoint: its sizes, with {@code nHead} (in the model's
   * {@code config.json}, not in its shapes) and the context the graph is built for.
   *
   * @throws IllegalArgumentException if {@code nHead} does not divide {@code n_embd}, or the
   *     context is not in {@code [1, n_positions]}
   */
  public Gpt2Config config(int nHead, int context) {
    return new Gpt2Config(sizes.nLayer(), sizes.nEmbd(), nHead, sizes.nPositions(),
        sizes.vocab(), context);
  }

  /**
   * Builds {@link Gpt2Model}'s float32 graph for {@code config} and loads the weights into it
   * by name ({@link NamedWeights}).
   *
   * @throws IllegalArgumentException if {@code config}'s sizes are not the checkpoint's
   * @throws CheckpointException if the data section is truncated, or {@code lm_head.weight}
   *     differs from {@code wte.weight} (an untied head)
   */
  public SameDiffModel load(Gpt2Config config) {
    Objects.requireNonNull(config, "config");
    Gpt2Sizes want = new Gpt2Sizes(config.nLayer(), config.nEmbd(), config.nPositions(),
        config.vocab());
    if (!want.equals(sizes)) {
      throw new IllegalArgumentException("config " + config + " has sizes " + want + ", but "
          + file + " holds " + sizes + "; make the config with config(nHead, context)");
    }
    Safetensors st = Safetensors.open(file);
    Map<ParameterPath, INDArray> values = new LinkedHashMap<>();
    keys.forEach((bare, k) -> values.put(ParameterPath.parse(bare), st.array(k)));
    head.ifPresent(h -> {
      INDArray wte = values.get(ParameterPath.parse("wte.weight"));
      if (!st.array(h).equalsWithEps(wte, 0.0)) {
        throw new CheckpointException(file.toString(), List.of("'" + h + "' differs from"
            + " wte.weight: an untied output head, which GPT-2's layout (tied) cannot hold"));
      }
    });
    SameDiffModel model = Gpt2Model.build(config, DataType.FLOAT, 0);
    NamedWeights.load(model, values);
    return model;
  }

  @Override
  public String toString() {
    return "Gpt2Checkpoint[" + file + ", " + sizes + "]";
  }
}
