import dev.ablation.api.recovery.Seeds;
import dev.ablation.samediff.data.EuroparlText;

/**
 * The character n-gram references (unigram to 4-gram, add-0.1, fitted to the whole training part)
 * on exactly the 256 validation windows each text original of a study is scored on, as
 * SameDiffStudyEngine draws them: {@code java -cp ablation-cli/target/ablation.jar
 * bench/TextReference.java S SEED...} (S: the preset's training strings, 4096 for standard).
 */
public class TextReference {
  public static void main(String[] a) {
    EuroparlText c = EuroparlText.load();
    int strings = Integer.parseInt(a[0]);
    for (int i = 1; i < a.length; i++) {
      long seed = Long.parseLong(a[i]);
      // as SameDiffStudyEngine.load: 256 validation strings of seqLen + 1 = 33 tokens
      var sp = c.split(strings, 256, 33, Seeds.derive(Seeds.derivedFrom(seed).originalData(), "strings"));
      System.out.printf("seed %d: unigram %.4f bigram %.4f trigram %.4f 4-gram %.4f%n", seed,
          c.ngramLoss(1, sp.validation()), c.ngramLoss(2, sp.validation()),
          c.ngramLoss(3, sp.validation()), c.ngramLoss(4, sp.validation()));
    }
  }
}
