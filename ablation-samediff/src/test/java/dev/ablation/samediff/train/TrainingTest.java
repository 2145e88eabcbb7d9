package dev.ablation.samediff.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ablation.samediff.LossEvaluator;
import dev.ablation.samediff.data.MarkovChain;
import dev.ablation.samediff.data.Seq2SeqTask;
import dev.ablation.samediff.data.Split;
import dev.ablation.samediff.model.ReferenceBatches;
import dev.ablation.samediff.model.ReferenceModel;
import dev.ablation.samediff.model.TransformerConfig;
import org.junit.jupiter.api.Test;

/** CI-sized originals learn their corpora. */
class TrainingTest {

  @Test
  void decoderOnlyApproachesTheMarkovFloor() {
    MarkovChain chain = new MarkovChain(8, 2, 2.0, 1);
    int context = 16;
    Split split = chain.split(2000, 200, context + 1, 2);
    double floor = chain.lossFloor(context + 1).getAsDouble();
    ReferenceModel m = ReferenceModel.build(TransformerConfig.decoderOnly(2, 32, 4, 8, context,
        3));
    long t0 = System.nanoTime();
    TrainedOriginal t = new OriginalTrainer(TrainingPlan.of(3, 32, 1e-2, 4).evaluatingEvery(25),
        p -> System.out.println("markov " + p)).train(m, split);
    System.out.printf("markov floor %.4f L* %.4f initial %.4f in %d ms%n", floor, t.finalLoss(),
        t.curve().get(0).validationLoss(), (System.nanoTime() - t0) / 1_000_000);
    assertEquals(3L * split.train().size(), t.budget().examples());
    assertEquals(3L * split.train().size() * context, t.budget().tokens());
    // within 0.2 nats of the exact floor (measured: 0.105 after 189 steps), and not below it
    // by more than validation sampling noise
    assertTrue(t.finalLoss() < floor + 0.2, "L* " + t.finalLoss() + " vs floor " + floor);
    assertTrue(t.finalLoss() > floor - 0.1, "L* " + t.finalLoss() + " vs floor " + floor);
    assertTrue(t.finalLoss() < t.curve().get(0).validationLoss() - 0.5);
    assertEquals(t.finalLoss(), new LossEvaluator(m.model()).meanLoss(ReferenceBatches.of(m).batches(split.validation(), 64)),
        1e-5);
  }

  @Test
  void encoderDecoderLearnsToCopy() {
    Seq2SeqTask copy = new Seq2SeqTask(Seq2SeqTask.Kind.COPY, 6, 1);
    Split split = copy.split(1500, 200, 6, 5);
    ReferenceModel m = ReferenceModel.build(TransformerConfig.encoderDecoder(1, 1, 32, 2,
        copy.vocab(), 6, 6));
    long t0 = System.nanoTime();
    TrainedOriginal t = new OriginalTrainer(TrainingPlan.of(3, 32, 3e-3, 7).evaluatingEvery(25),
        p -> System.out.println("copy " + p)).train(m, split);
    double acc = new LossEvaluator(m.model()).accuracy(ReferenceBatches.of(m).batches(split.validation(), 100),
        ReferenceModel.LABELS);
    System.out.printf("copy L* %.4f acc %.4f in %d ms%n", t.finalLoss(), acc,
        (System.nanoTime() - t0) / 1_000_000);
    // teacher-forced top-1 accuracy of an untrained model is about 1/6
    assertTrue(acc > 0.95, "accuracy " + acc);
    assertTrue(t.finalLoss() < 0.1, "L* " + t.finalLoss());
  }

  @Test
  void encoderOnlyLearnsMaskedMarkov() {
    MarkovChain chain = new MarkovChain(7, 1, 2.0, 1);
    Split split = chain.split(1000, 200, 12, 2);
    ReferenceModel m = ReferenceModel.build(TransformerConfig.encoderOnly(2, 32, 4, 8, 12, 3));
    long t0 = System.nanoTime();
    TrainedOriginal t = new OriginalTrainer(TrainingPlan.of(3, 32, 3e-3, 4).evaluatingEvery(25),
        p -> System.out.println("mlm " + p)).train(m, split);
    System.out.printf("mlm L* %.4f initial %.4f in %d ms%n", t.finalLoss(),
        t.curve().get(0).validationLoss(), (System.nanoTime() - t0) / 1_000_000);
    assertTrue(t.finalLoss() < t.curve().get(0).validationLoss() - 0.3);
  }
}
