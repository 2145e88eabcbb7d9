package dev.ablation.samediff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The chatter filter: SameDiff's per-op lines dropped, a user's lines kept, the stream put back. */
class GradientChatterTest {
  private final PrintStream console = System.out;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @AfterEach
  void putTheConsoleBack() {
    System.setOut(console);
  }

  @Test
  void buildingAGradientFunctionPrintsNothingButTheUsersLinesPass() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
    SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 2));
    sd.math().tanh(x.mmul(w)).sum().rename("loss");
    sd.setLossVariables("loss");
    PrintStream mine = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(mine);
    GradientChatter.quietly(() -> {
      System.out.println("user line inside");
      GradientChatter.buildGradientFunction(sd); // nested: one filter, put back at the end
      System.out.print("Added differentiated op by the user? no: dropped as well\n");
      return null;
    });
    System.out.println("user line after");
    assertThat(sd.getFunction("grad")).isNotNull();
    assertThat(System.out).isSameAs(mine);
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo("user line inside"
        + System.lineSeparator() + "user line after" + System.lineSeparator());
  }
}
