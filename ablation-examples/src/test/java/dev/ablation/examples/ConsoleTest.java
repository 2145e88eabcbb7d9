package dev.ablation.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The examples' output filter: drops SameDiff's per-op lines, passes everything else. */
class ConsoleTest {

  @Test
  void dropsOnlyGradientLinesAndPutsSystemOutBack() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    try {
      String r = Console.withoutGradientChatter(() -> {
        System.out.println("Added differentiated op matmul_3");
        System.out.println("kept: Added differentiated op is not at the start");
        System.out.print("no newline yet");
        return "done";
      });
      assertThat(r).isEqualTo("done");
      assertThat(System.out).isSameAs(capture);
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(
        "kept: Added differentiated op is not at the start" + System.lineSeparator()
            + "no newline yet");
  }

  @Test
  void passesABarRedrawnInPlaceAtOnce() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    String[] seen = new String[1];
    try {
      Console.withoutGradientChatter(() -> {
        System.out.print("\rstudy  25% [==>     ] 1/4");
        System.out.flush();
        seen[0] = captured.toString(StandardCharsets.UTF_8);
        System.out.print("\rAdded differentiated op add\n\rstudy  50% [====>   ] 2/4");
        return null;
      });
    } finally {
      System.setOut(original);
    }
    assertThat(seen[0]).isEqualTo("\rstudy  25% [==>     ] 1/4");
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(
        "\rstudy  25% [==>     ] 1/4\r\rstudy  50% [====>   ] 2/4");
  }
}
