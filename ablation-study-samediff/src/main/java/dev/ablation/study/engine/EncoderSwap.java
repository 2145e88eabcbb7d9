package dev.ablation.study.engine;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ParameterPath;
import dev.ablation.api.recovery.Seeds;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.RecoverySettings;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.recovery.RecoveryBuilder;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.study.plan.ModelSpec;
import dev.ablation.study.plan.OriginalSpec;
import dev.ablation.study.plan.RecoveryRequest;
import dev.ablation.study.plan.WipeTarget;
import dev.ablation.study.store.OriginalRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The encoder-decoder aside's encoder swaps (one of the study's recoveries that are not a wipe
 * of the trained model): the swapped model is built here, and a {@link Recovery} that starts
 * after this surgery measures its damage and retrains its retrained part.
 */
final class EncoderSwap {
  private EncoderSwap() {}

  /**
   * The aside's encoder swaps: an encoder of another width with a new projection, the trained
   * decoder copied in. {@code FRESH}: the encoder is freshly initialised and the encoder, the
   * projection and every (wiped) cross-attention retrain. {@code TRAINED}: the encoder comes
   * from an original of that width trained on the same task and seed (trained, or loaded from
   * the cache, like any original) and stays frozen; the projection and the wiped
   * cross-attention retrain. {@code STITCHED}: the same trained encoder, the original
   * cross-attention kept, only the projection retrains.
   */
  static RecoveryResult run(OriginalRecord original, Loaded l, WipeTarget.SwapEncoder swap,
      RecoveryRequest request, RecoverySettings settings, AdamSettings adam,
      Iterator<Batch> training, Map<String, String> config, Seeds seeds,
      java.util.function.Function<OriginalSpec, Loaded> load) {
    TransformerConfig oc = l.trained().model().config();
    int heads = oc.encoderHeads();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> donor = Map.of();
    TransformerConfig nc;
    if (swap.source() == WipeTarget.EncoderSource.FRESH) {
      nc = oc.toBuilder()
          .encoder(TransformerConfig.Encoder.of(oc.encoderLayers(), swap.width(), heads))
          .seed(Seeds.derive(seeds.wipe(), "encoder"))
          .build();
    } else {
      ModelSpec m = original.spec().model();
      OriginalSpec donorSpec = new OriginalSpec(new ModelSpec(m.arch(), m.nLayers(),
          swap.width(), m.nHeads()), original.spec().training(), original.spec().seed());
      TransformerConfig dc = load.apply(donorSpec).trained().model().config();
      donor = load.apply(donorSpec).trained().model().weights();
      nc = oc.toBuilder()
          .encoder(dc.encoder().orElseThrow())
          .seed(Seeds.derive(seeds.wipe(), "encoder"))
          .build();
      config.put("encoder_donor", donorSpec.contentHash());
    }
    ReferenceModel fresh = ReferenceModel.build(nc);
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(fresh.model());
    List<LayerPath> encoderSide = new ArrayList<>();
    List<LayerPath> crossAttention = new ArrayList<>();
    LayerPath projection = null;
    for (var layer : surgeon.layout().layers()) {
      LayerPath p = layer.path();
      // by type and path segments, never by name text: the encoder is what the target's
      // paths hold, the projection the OTHER layer outside it, cross-attention the SUBLAYERs
      // whose last segment is cross_attn (every block has sublayers: attn, mlp, ln1, …)
      if (swap.layers().stream().anyMatch(e -> e.contains(p))) {
        encoderSide.add(p);
      } else if (layer.kind() == LayerKind.OTHER) {
        projection = p;
      } else if (layer.kind() == LayerKind.SUBLAYER
          && p.segments().get(p.segments().size() - 1).equals("cross_attn")) {
        crossAttention.add(p);
      }
    }
    if (projection == null) {
      throw new IllegalStateException("the swapped model has no projection layer 'proj'; "
          + "its encoder width " + swap.width() + " equals the decoder's?");
    }
    // the trained decoder (and, unless stitched, no cross-attention) from the original; the
    // encoder from the donor when there is one; the projection stays fresh
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> trained = l.trained().model().weights();
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> copy = new LinkedHashMap<>(fresh.weights());
    boolean keepCross = swap.source() == WipeTarget.EncoderSource.STITCHED;
    for (ParameterPath p : surgeon.layout().parameterPaths()) {
      String v = fresh.layers().variable(p);
      boolean encoder = encoderSide.stream().anyMatch(w -> w.contains(p));
      boolean cross = crossAttention.stream().anyMatch(w -> w.contains(p));
      Map<String, org.nd4j.linalg.api.ndarray.INDArray> from = encoder ? donor
          : projection.contains(p) || (cross && !keepCross) ? Map.of() : trained;
      if (from.containsKey(v) && java.util.Arrays.equals(from.get(v).shape(), copy.get(v).shape())) {
        copy.put(v, from.get(v));
      } else if (encoder && !donor.isEmpty()) {
        throw new IllegalStateException("the donor encoder has no parameter " + v
            + " of shape " + java.util.Arrays.toString(copy.get(v).shape()));
      }
    }
    fresh.setWeights(copy);
    if (!keepCross) {
      surgeon.wipe(crossAttention, request.scheme(), seeds.wipe());
    }
    List<LayerPath> retrained = new ArrayList<>();
    retrained.add(projection);
    if (!keepCross) {
      retrained.addAll(crossAttention);
    }
    if (swap.source() == WipeTarget.EncoderSource.FRESH) {
      retrained.addAll(encoderSide);
    }
    config.put("encoder_d_model", Integer.toString(swap.width()));
    config.put("encoder_source", swap.source().name());
    RecoveryBuilder b = Recovery.builder(surgeon)
        .afterSurgery(retrained)
        // the swapped model is no longer the original: its damage is measured against the
        // original's evaluation, its target against the study's L*
        .originalEvaluation(l.evaluation())
        .referenceLoss(original.lossOriginal())
        .freeze(request.policy())
        .seeds(seeds)
        .target(settings.criterion(), settings.reference())
        .budget(settings.budget())
        .evaluate(settings.schedule())
        .listener(settings.listener())
        .optimiser(adam);
    if (settings.trainsPastTarget()) {
      b.trainPastTarget(settings.horizonSteps());
    }
    config.forEach(b::describe);
    return b.build().run(training, l.validation());
  }
}
