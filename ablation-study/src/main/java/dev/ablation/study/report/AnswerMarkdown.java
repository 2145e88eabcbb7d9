package dev.ablation.study.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Markdown of the answer: the headline block that opens {@code report.md} (the same
 * {@link Headline} the terminal and {@code report.html} show) and the answer in sentences for
 * every arm. Apart from {@link MarkdownRenderer} so that neither class outgrows a reading.
 */
final class AnswerMarkdown {
  private final StringBuilder md = new StringBuilder();

  private AnswerMarkdown() {}

  /** Appends a line; formats (Locale.ROOT) only when there are arguments. */
  private void line(String fmt, Object... args) {
    md.append(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args)).append('\n');
  }

  static String range(Answer.Range r) {
    return r.min() == r.max() ? Long.toString(r.min()) : r.min() + "–" + r.max();
  }

  /** {@code 320 [300, 360] examples = 40 [38, 45] steps}. */
  static String cost(AbsoluteCosts.CellCost c) {
    return c.examples().formatCount() + " examples = " + c.steps().formatCount() + " steps";
  }

  /** {@code ; inside the 8-step warm-up}, or nothing when the cost is not near either. */
  static String flag(AbsoluteCosts.Near n) {
    String note = note(n);
    return note.isEmpty() ? "" : "; " + note;
  }

  /**
   * Where a cost sits against the schedule, naming the warm-up length and the evaluation
   * resolution; empty when it is more than a few steps past both.
   */
  static String note(AbsoluteCosts.Near n) {
    List<String> parts = new ArrayList<>();
    if (n.insideWarmup()) {
      parts.add(String.format(Locale.ROOT, "inside the %d-step recovery warm-up",
          n.warmup().getAsInt()));
    }
    if (n.nearWarmup()) {
      parts.add(String.format(Locale.ROOT, "within %d steps of the %d-step recovery warm-up",
          AbsoluteCosts.FEW_STEPS, n.warmup().getAsInt()));
    }
    if (n.nearResolution()) {
      parts.add(String.format(Locale.ROOT, "within %d steps of the evaluation resolution "
          + "(%d-step gap at T_ε)", AbsoluteCosts.FEW_STEPS, n.resolution().getAsLong()));
    }
    return String.join("; ", parts);
  }

  /** The headline: one line per sub-question with its number, before the full answer. */
  static String glance(Headline h) {
    AnswerMarkdown r = new AnswerMarkdown();
    r.line("**%s**", h.title());
    r.line("");
    h.lines().forEach(x -> r.line("- **%s**: %s", x.question(), x.answer()));
    r.line("");
    r.line("Interactive: [report.html](%s).", HtmlReport.FILE);
    r.line("");
    return r.md.toString();
  }

  static String of(Answer a) {
    AnswerMarkdown r = new AnswerMarkdown();
    r.answer(a);
    return r.md.toString();
  }

  private void answer(Answer a) {
    line("## The answer");
    line("");
    if (a.empty()) {
      line("No single-layer runs yet.");
      return;
    }
    StringBuilder q0 = new StringBuilder();
    for (Answer.CostSpread sp : a.costSpreads()) {
      if (q0.length() > 0) {
        q0.append(" ");
      }
      if (sp.placed().isEmpty()) {
        q0.append(String.format(Locale.ROOT, "*%s*: no cell's median recovery was reached "
            + "within the budget (%d cells).", sp.arm(), sp.cells()));
        continue;
      }
      AbsoluteCosts.CellCost lo = sp.placed().get(0);
      AbsoluteCosts.CellCost hi = sp.placed().get(sp.placed().size() - 1);
      q0.append(String.format(Locale.ROOT, "*%s*: the per-cell median T_ε runs from %s (%s) "
          + "to %s (%s)%s.", sp.arm(), cost(lo), lo.cell().label() + flag(lo.near()),
          cost(hi), hi.cell().label() + flag(hi.near()), sp.notReached() == 0 ? ""
              : String.format(Locale.ROOT, "; %d %s never reached a median (more than half "
                  + "of their seeds did not recover: censored, not dropped)", sp.notReached(),
                  sp.notReached() == 1 ? "cell" : "cells")));
    }
    line("**Absolute costs first.** Examples seen and optimiser steps to recover (Kaplan–Meier "
        + "median over seeds, 95%% CI). %s The originals trained for B_ref = S × E = %s "
        + "examples%s. The ratios below divide by B_ref or T_orig, which move with where each "
        + "original stopped (its plateau rule or epoch cap); the examples and steps do not.",
        q0, a.refExamples().map(AnswerMarkdown::range).orElse("—"),
        a.scratchExamples().map(r -> "; a fresh model needed T_scratch = " + range(r)
            + " examples to reach the same target").orElse(" (T_scratch not measured)"));
    line("");
    StringBuilder q1 = new StringBuilder();
    for (Answer.ArmSpread sp : a.spreads()) {
      if (q1.length() > 0) {
        q1.append(" ");
      }
      if (sp.placed().isEmpty()) {
        q1.append(String.format(Locale.ROOT, "*%s*: no cell's median recovery was reached "
            + "within the budget (%d cells).", sp.arm(), sp.cells()));
        continue;
      }
      Answer.CellRho lo = sp.placed().get(0);
      Answer.CellRho hi = sp.placed().get(sp.placed().size() - 1);
      q1.append(String.format(Locale.ROOT, "*%s*: the per-cell median ρ runs from %s (%s) to "
          + "%s (%s); %d of %d cells needed ≤ 1%% of S×E, %d ≤ 10%%%s.", sp.arm(),
          lo.rho().percent(), lo.cell().label(), hi.rho().percent(), hi.cell().label(),
          sp.atMost(0.01), sp.cells(), sp.atMost(0.1),
          sp.notReached() == 0 ? "" : String.format(Locale.ROOT, ", %d never reached a median "
              + "(more than half of their seeds did not recover)", sp.notReached())));
    }
    line("1. **How many of the original's S×E examples does a wiped layer need?** %s", q1);
    line("");
    StringBuilder qo = new StringBuilder();
    for (Answer.OrigSpread o : a.origSpreads()) {
      qo.append(String.format(Locale.ROOT, " *%s*: per-cell median ρ_orig = T_ε / T_orig from "
          + "%s to %s (the originals themselves first reached the target after T_orig = "
          + "%s–%s of S×E).", o.arm(), Interval.fmt(o.min()), Interval.fmt(o.max()),
          Censored.pct(o.tOrigMin()), Censored.pct(o.tOrigMax())));
    }
    if (qo.length() > 0) {
      line("   Against the original's own path to the same target:%s", qo);
      line("");
    }
    StringBuilder q2 = new StringBuilder();
    int separated = 0;
    for (Answer.PositionRatio p : a.positionRatios()) {
      separated += p.excludesOne() ? 1 : 0;
      q2.append(String.format(Locale.ROOT, "%s%s, %s: %s (%d seed pairs)",
          q2.length() == 0 ? "" : "; ", p.shape(), p.arm(), p.ratio().format(), p.pairs()));
    }
    int compared = a.positionRatios().size();
    if (compared > 0) {
      line("2. **Does the position of L matter?** ρ(first block) / ρ(last block), median over "
          + "seed pairs where both recovered, 95%% CI: %s. The interval excludes 1 in %d of %d "
          + "comparisons%s.", q2, separated, compared,
          separated == 0 ? " — the data do not show a position effect" : "");
    } else {
      line("2. **Does the position of L matter?** Too few seed pairs in which both the first "
          + "and the last block recovered to compare.");
    }
    line("");
    StringBuilder q3 = new StringBuilder();
    int apartPairs = 0;
    int pairs = 0;
    for (Answer.ShapeComparison c : a.shapeComparisons()) {
      q3.append(String.format(Locale.ROOT, "%s%s block, %s: %s", q3.length() == 0 ? "" : "; ",
          c.end(), c.arm(), c.perShape().stream().map(x -> x.shape().n() + "/" + x.shape().d()
              + " " + x.rho().format()).collect(Collectors.joining(", "))));
      pairs += c.pairs();
      apartPairs += c.disjointPairs();
    }
    if (pairs > 0) {
      line("3. **Do N and D matter?** ρ by N/D at the same relative position (median [95%% CI]):"
          + " %s. %d of %d pairs of shapes have disjoint intervals%s.", q3, apartPairs, pairs,
          apartPairs == 0 ? " — the data do not separate N or D" : "");
    } else {
      line("3. **Do N and D matter?** This study ran one shape; add `--layers` and `--widths` "
          + "values to compare.");
    }
    line("");
    Answer.Limits l = a.limits();
    line("**What the data cannot support.** %d seeds per cell, models of N ≤ %d and D ≤ %d "
        + "trained on %s: no claim about other languages or larger models; "
        + "no single ρ for \"a layer\" (cells differ and are not pooled); where a median is "
        + "\"not reached\" only a lower bound is known; intervals from %d seeds are wide and "
        + "their 95%% coverage is nominal.", l.seeds(), l.maxN(), l.maxD(), l.language(),
        l.seeds());
  }
}
