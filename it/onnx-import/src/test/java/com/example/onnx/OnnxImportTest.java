package com.example.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.api.LayerKind;
import dev.ablation.api.LayerPath;
import dev.ablation.api.ReinitScheme;
import dev.ablation.api.WeightSnapshot;
import dev.ablation.api.recovery.RecoveryCriterion;
import dev.ablation.api.recovery.RecoveryListener;
import dev.ablation.api.recovery.RecoveryResult;
import dev.ablation.api.recovery.ReferenceCost;
import dev.ablation.api.recovery.Verdict;
import dev.ablation.samediff.Batch;
import dev.ablation.samediff.LayerMap;
import dev.ablation.samediff.OnnxModels;
import dev.ablation.samediff.SameDiffModel;
import dev.ablation.samediff.recovery.Recovery;
import dev.ablation.samediff.surgery.SameDiffSurgeon;
import dev.ablation.samediff.train.AdamSettings;
import dev.ablation.samediff.train.AdamStepper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

/**
 * An ONNX model (written here with ONNX's protobuf classes, as an exporter would) imported by
 * SameDiff's own importer, mapped over its constants, one block wiped and recovered.
 */
class OnnxImportTest {
  static final int D = 4;
  static final int HIDDEN = 8;
  static final int CLASSES = 3;

  /** The importer's failure on what PyTorch emits, and the rewrite that avoids it. */
  @Test
  void unsqueezeAxesFromAConstantNodeImportOnlyAfterPreparation() throws Exception {
    AttributeProto axes = AttributeProto.newBuilder().setName("value")
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(TensorProto.newBuilder().setDataType(7).addDims(1).addInt64Data(1)).build();
    GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", -1, D))
        .addNode(node("Constant", List.of(), "axes", axes))
        .addNode(node("Unsqueeze", List.of("x", "axes"), "y"))
        .addOutput(input("y", -1, 1, D)).build();
    byte[] model = model(g);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, D);
    assertThrows(NullPointerException.class, () -> importModel(model, x));
    SameDiff sd = importModel(OnnxModels.prepareForImport(model), x);
    assertArrayEquals(new long[] {2, 1, D}, sd.output(Map.of("x", x), "y").get("y").shape());
  }

  /**
   * A transformer's projection, {@code [batch, pos, d] · W} (and a 4-D one): the importer fails
   * on the rank-3 {@code MatMul}; prepared, it computes the product, checked against loops here.
   */
  @Test
  void matMulOfA3DOr4DInputByAWeightImportsOnlyAfterPreparation() throws Exception {
    Random r = new Random(7);
    for (long[] dims : new long[][] {{2, 3, D}, {2, 2, 3, D}}) {
      GraphProto.Builder g = GraphProto.newBuilder().setName("g")
          .addInput(input("x", withFirstDynamic(dims)))
          .addInitializer(floats("w", r, D, HIDDEN))
          .addNode(node("MatMul", List.of("x", "w"), "y"));
      byte[] model = model(g.build());
      INDArray x = Nd4j.rand(DataType.FLOAT, dims);
      assertThrows(RuntimeException.class,
          () -> importModel(model, x).output(Map.of("x", x), "y"));
      SameDiff sd = importModel(OnnxModels.prepareForImport(model), x);
      INDArray got = sd.output(Map.of("x", x), "y").get("y");
      long[] wantShape = dims.clone();
      wantShape[dims.length - 1] = HIDDEN;
      assertArrayEquals(wantShape, got.shape(), "output shape for input " + Arrays.toString(dims));
      float[] xs = x.reshape(-1, D).data().asFloat();
      TensorProto w = g.getInitializer(0);
      float[] ys = got.reshape(-1, HIDDEN).data().asFloat();
      double worst = 0;
      double largest = 0;
      for (int row = 0; row < xs.length / D; row++) {
        for (int j = 0; j < HIDDEN; j++) {
          double want = 0;
          for (int k = 0; k < D; k++) {
            want += (double) xs[row * D + k] * w.getFloatData(k * HIDDEN + j);
          }
          worst = Math.max(worst, Math.abs(ys[row * HIDDEN + j] - want));
          largest = Math.max(largest, Math.abs(want));
        }
      }
      double tolerance = 1e-5 * largest;
      double diff = worst;
      assertTrue(diff <= tolerance, () -> "input " + Arrays.toString(dims)
          + ": max |imported - x·W| " + diff + " > " + tolerance);
    }
  }

  /** The dims with the first one (the batch) dynamic, as an exporter declares an input. */
  static long[] withFirstDynamic(long[] dims) {
    long[] out = dims.clone();
    out[0] = -1;
    return out;
  }

  @Test
  void wipeABlockOfAnImportedModelAndRecoverIt() throws Exception {
    INDArray example = Nd4j.rand(DataType.FLOAT, 2, D);
    byte[] onnx = residualMlp(new Random(5));
    SameDiff sd = importModel(OnnxModels.prepareForImport(onnx), example);
    INDArray want = forward(ModelProto.parseFrom(onnx).getGraph(), example);
    INDArray got = sd.output(Map.of("x", example), "logits").get("logits");
    assertTrue(got.equalsWithEps(want, 1e-5), () -> "imported " + got + " but the model computes " + want);
    // the training objective, added to the imported graph: mean cross-entropy
    SDVariable labels = sd.placeHolder("labels", DataType.FLOAT, -1, CLASSES);
    SDVariable logits = sd.getVariable("logits");
    sd.math().neg(sd.sum(labels.mul(sd.nn().logSoftmax(logits))))
        .div("xent", sd.sizeAt(labels, 0).castTo(DataType.FLOAT));
    sd.setLossVariables("xent");

    LayerMap map = LayerMap.builder().includeConstants()
        .blocks("block", 2, "block%d\\.(.*)")
        .layerOfVariables(LayerPath.parse("head"), LayerKind.HEAD, List.of("head.weight"))
        .build(sd);
    SameDiffModel model = new SameDiffModel(sd, map, "xent", Optional.empty());
    SameDiffSurgeon surgeon = SameDiffSurgeon.of(model);
    assertTrue(surgeon.trainable().isEmpty(), "imported weights are constants");

    List<Batch> train = batches(1, 32);
    List<Batch> validation = batches(2, 4);
    // train the imported model a little first: its weights become variables for that
    surgeon.unfreezeAll();
    AdamStepper original = new AdamStepper(model, surgeon.trainableVariables(), AdamSettings.of(1e-2));
    for (int epoch = 0; epoch < 6; epoch++) {
      train.forEach(original::step);
    }
    WeightSnapshot trained = surgeon.snapshot();
    List<WeightSnapshot> recovered = new ArrayList<>();
    RecoveryResult r = Recovery.builder(surgeon)
        .wipe(LayerPath.block("block", 1), ReinitScheme.fresh())
        .target(RecoveryCriterion.withinNats(0.05), ReferenceCost.of(32L * 16, 6, 1))
        .optimiser(AdamSettings.of(1e-2))
        .evaluateEvery(8)
        .seed(3)
        .listener(new RecoveryListener() {
          @Override
          public void onFinish(RecoveryResult result) {
            recovered.add(surgeon.snapshot()); // run() restores the model after this
          }
        })
        .build()
        .run(train, validation);

    assertEquals(Verdict.RECOVERED, r.verdict(), () -> "damage " + r.damage() + ", curve " + r.curve());
    WeightSnapshot after = recovered.get(0);
    for (var p : surgeon.layout().parameterPaths()) {
      if (!p.toString().startsWith("block.1.")) {
        assertArrayEquals(trained.values(p), after.values(p), "frozen " + p + " changed");
      }
      assertArrayEquals(trained.values(p), surgeon.snapshot().values(p), "restored " + p);
    }
    System.out.println("onnx-import: " + r.verdict() + " rho=" + r.rho() + " L0=" + r.damage().lossAfterWipe()
        + " L*=" + r.damage().lossOriginal());
  }

  /** x [N, 4] → 2 × (x + Relu(x·fc + b)·proj + b) → logits = x·head [N, 3]. */
  static byte[] residualMlp(Random r) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("mlp").addInput(input("x", -1, D));
    String h = "x";
    for (int i = 0; i < 2; i++) {
      String p = "block" + i + ".";
      g.addInitializer(floats(p + "fc.weight", r, D, HIDDEN))
          .addInitializer(floats(p + "fc.bias", r, HIDDEN))
          .addInitializer(floats(p + "proj.weight", r, HIDDEN, D))
          .addInitializer(floats(p + "proj.bias", r, D));
      g.addNode(node("MatMul", List.of(h, p + "fc.weight"), p + "mm1"));
      g.addNode(node("Add", List.of(p + "mm1", p + "fc.bias"), p + "a1"));
      g.addNode(node("Relu", List.of(p + "a1"), p + "r"));
      g.addNode(node("MatMul", List.of(p + "r", p + "proj.weight"), p + "mm2"));
      g.addNode(node("Add", List.of(p + "mm2", p + "proj.bias"), p + "a2"));
      g.addNode(node("Add", List.of(h, p + "a2"), p + "out"));
      h = p + "out";
    }
    g.addInitializer(floats("head.weight", r, D, CLASSES));
    g.addNode(node("MatMul", List.of(h, "head.weight"), "logits"));
    g.addOutput(input("logits", -1, CLASSES));
    return model(g.build());
  }

  /** The residual MLP's forward pass computed here from the model's initializers. */
  static INDArray forward(GraphProto g, INDArray x) {
    Map<String, INDArray> w = new java.util.HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      float[] v = new float[t.getFloatDataCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = t.getFloatData(i);
      }
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      w.put(t.getName(), Nd4j.create(v, dims, 'c'));
    }
    INDArray h = x;
    for (int i = 0; i < 2; i++) {
      String p = "block" + i + ".";
      INDArray a = h.mmul(w.get(p + "fc.weight")).addRowVector(w.get(p + "fc.bias"));
      INDArray r = org.nd4j.linalg.ops.transforms.Transforms.relu(a, true);
      h = h.add(r.mmul(w.get(p + "proj.weight")).addRowVector(w.get(p + "proj.bias")));
    }
    return h.mmul(w.get("head.weight"));
  }

  static byte[] model(GraphProto g) {
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("own")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(g).build().toByteArray();
  }

  static SameDiff importModel(byte[] model, INDArray x) throws Exception {
    Path f = Files.createTempFile("model", ".onnx");
    Files.write(f, model);
    return new OnnxFrameworkImporter().runImport(f.toString(), Map.of("x", x), false);
  }

  static ValueInfoProto input(String name, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N").build()
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d).build());
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
  }

  static TensorProto floats(String name, Random r, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
    long n = 1;
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    for (long i = 0; i < n; i++) {
      t.addFloatData((float) (r.nextGaussian() / Math.sqrt(dims[0])));
    }
    return t.build();
  }

  static NodeProto node(String op, List<String> in, String out, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out + "_op").addOutput(out);
    in.forEach(n::addInput);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    return n.build();
  }

  /** Points labelled by the sign pattern of their first two coordinates (3 classes). */
  static List<Batch> batches(long seed, int n) {
    Random r = new Random(seed);
    List<Batch> out = new ArrayList<>();
    for (int b = 0; b < n; b++) {
      float[][] xs = new float[16][D];
      float[][] ys = new float[16][CLASSES];
      for (int i = 0; i < 16; i++) {
        for (int j = 0; j < D; j++) {
          xs[i][j] = (float) r.nextGaussian();
        }
        ys[i][(xs[i][0] > 0 ? 1 : 0) + (xs[i][1] > 0 ? 1 : 0)] = 1f;
      }
      out.add(new Batch(Map.of("x", Nd4j.createFromArray(xs), "labels", Nd4j.createFromArray(ys)),
          16, 16));
    }
    return out;
  }
}
