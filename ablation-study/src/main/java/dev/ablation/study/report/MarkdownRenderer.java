package dev.ablation.study.report;

import dev.ablation.study.plan.Numbers;

import dev.ablation.study.store.FailedRun;
import dev.ablation.study.plan.RunKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code report.md} from the computed {@link Sections}: words, tables and the image links of
 * the charts, in the report's order. Numbers are formatted with {@link Locale#ROOT}. The
 * charts it embeds are collected in order, so the caller draws exactly those.
 */
final class MarkdownRenderer {
  private final StringBuilder md = new StringBuilder();
  private final List<Chart> embedded = new ArrayList<>();
  private final String criterion;

  private MarkdownRenderer(String criterion) {
    this.criterion = criterion;
  }

  /** The rendered report and the charts it links to, in order. */
  record Rendered(String markdown, List<Chart> charts) {}

  static Rendered render(Sections s, String criterion) {
    MarkdownRenderer r = new MarkdownRenderer(criterion);
    r.document(s);
    return new Rendered(r.md.toString(), List.copyOf(r.embedded));
  }

  /** Appends a line; formats (Locale.ROOT) only when there are arguments. */
  private void line(String fmt, Object... args) {
    md.append(args.length == 0 ? fmt : String.format(Locale.ROOT, fmt, args)).append('\n');
  }

  private void embed(Chart c) {
    embedded.add(c);
    line("![%s](%s/%s)", c.alt(), Report.PLOTS, c.fileName());
    line("");
  }

  private void document(Sections s) {
    line("# Recovery study: how fast does a wiped layer heal?");
    line("");
    glance(s.headline());
    s.summary().chart().ifPresent(this::embed);
    answer(s.answer());
    line("");
    absolute(s.absolute());
    method(s.method());
    line("");
    originals(s.originals());
    rho(s.rho());
    positions(s.positions());
    s.pastTarget().ifPresent(this::pastTarget);
    notRecovered(s.outcomes());
    undamaged(s.outcomes());
    failed(s.failures());
    line("## Step-0 damage vs layer, and the deleted-layer loss");
    line("");
    line("`L₀ − L*`: validation loss right after the wipe minus the original's; `deleted − L*`: "
        + "the same with the layer removed (identity). Means over seeds (and policies, which "
        + "cannot change step 0), 95% bootstrap CI.");
    line("");
    s.damage().forEach(this::damage);
    s.pooled().ifPresent(this::pooled);
    asides(s.asides());
    scratch(s.baselines());
    control(s.baselines());
    curves(s.curves());
  }

  private void absolute(AbsoluteCosts costs) {
    line("## Absolute costs: examples and steps to recover");
    line("");
    String warmups = costs.shapes().stream().flatMap(s -> s.rows().stream())
        .map(c -> c.near().warmup()).filter(java.util.OptionalInt::isPresent)
        .map(w -> Integer.toString(w.getAsInt())).distinct().collect(Collectors.joining(", "));
    line("What a recovery cost in the units a user pays: examples seen and optimiser steps until "
        + "T_ε (Kaplan–Meier median over seeds [95%% bootstrap CI]; a run that did not recover "
        + "is censored at what it spent, never dropped; undamaged runs are counted apart). "
        + "ρ = T_ε / B_ref and ρ_orig = T_ε / T_orig sit beside them: both divide by how the "
        + "original trained, so they move with its stopping rule (plateau δ over k evaluations, "
        + "epoch cap) while the examples do not. T_ε is the first step whose loss and the next "
        + "step's meet the target; the steps between scheduled evaluations are searched on kept "
        + "copies of the weights, so `resolution`, the widest gap (in steps) between a seed's "
        + "T_ε and the evaluation before it, is 1 where the search ran (runs judged by an older "
        + "rule, or by a loop that keeps no copies, show their schedule's gap). The recovery rate warms up "
        + "linearly over %s steps. A median cost inside the warm-up, or within %d steps of it or "
        + "of the resolution, is flagged: it measures the schedule as much as the layer.",
        warmups.isEmpty() ? "an unrecorded number of" : warmups, AbsoluteCosts.FEW_STEPS);
    line("");
    for (AbsoluteCosts.ShapeCosts s : costs.shapes()) {
      line("### %s", s.shape());
      line("");
      line("B_ref = S × E: %s examples per original. T_scratch (a fresh model to the same "
          + "target): %s.", Answer.Range.of(s.refExamples()).map(AnswerMarkdown::range)
              .orElse("—"),
          s.scratch().map(e -> e.formatCount() + " examples (" + s.scratchMeasured() + "/"
              + s.originals() + " originals)").orElse("not measured (`--scratch` to measure)"));
      line("");
      line("| layer | scheme | freeze | lr | recovered | T_ε (examples) | T_ε (steps) | "
          + "resolution (steps) | near the schedule | ρ = T_ε / B_ref | ρ_orig = T_ε / T_orig |");
      line("|---|---|---|---|---|---|---|---|---|---|---|");
      for (AbsoluteCosts.CellCost c : s.rows()) {
        Arm a = c.cell().arm();
        String note = AnswerMarkdown.note(c.near());
        line("| %s | %s | %s | %sx | %s | %s | %s | %s | %s | %s | %s |",
            c.cell().target().label(), a.scheme(), a.freeze().key(), Arm.mult(a.lr()),
            c.tally(), c.examples().formatCount(), c.steps().formatCount(),
            c.near().resolution().isPresent() ? Long.toString(c.near().resolution().getAsLong())
                : "—", note.isEmpty() ? "—" : note, c.rho().format(), c.rhoOrig().format());
      }
      line("");
    }
  }

  private void method(Sections.Method m) {
    String target = m.targetRules().stream().map(t -> switch (t) {
      case "NATS" -> "absolute, `L* + ε` nats";
      case "NOISE" -> "relative to the original's noise, `L* + max(ε, 2σ)`";
      case "DAMAGE" -> "a fraction of the step-0 damage undone, `L₀ − ε·(L₀ − L*)`";
      default -> t;
    }).collect(Collectors.joining("; "));
    line("**Method.** Each original trained until its validation loss stopped improving "
        + "(see *Originals*); `B_ref = S × E` is what that took. One target at a time was "
        + "re-initialised by the scheme, everything but what the freeze policy allows was "
        + "frozen, and training resumed with a fresh Adam until %s. **Target:** %s. "
        + "`ρ = T_ε / B_ref`; `ρ_orig = T_ε / T_orig`, where `T_orig` is the examples the "
        + "original itself first needed to reach the same target. Each cell's ρ is the "
        + "Kaplan–Meier median over seeds — a run that did not recover is censored at what it "
        + "spent (its ρ is larger), never dropped — with a 95%% percentile-bootstrap interval "
        + "on log ρ (%d resamples over seeds), so no bound is below 0. A wipe whose L₀ "
        + "already met the target is `UNDAMAGED`: counted apart (%d runs), never in ρ. "
        + "Nothing is pooled across layers, N or D. %d runs in %d configurations.",
        criterion, target.isEmpty() ? "as the criterion above" : target, Censored.RESAMPLES,
        m.undamaged(), m.runs(), m.shapes());
  }

  private void glance(Headline h) {
    md.append(AnswerMarkdown.glance(h));
  }

  private void answer(Answer a) {
    md.append(AnswerMarkdown.of(a));
  }

  private void originals(List<Originals> all) {
    line("## Originals");
    line("");
    line("Each original trained with a linear warmup, then either for a fixed number of steps "
        + "with the rate decayed linearly to 0 (`train_steps` in its manifest) or with "
        + "inverse-sqrt decay until its validation loss improved by less than δ over the last k "
        + "evaluations (or the epoch cap). `S × E` is what that took; `L*` the validation loss "
        + "of its final weights (the model that is wiped), `σ` the spread of its last k "
        + "evaluations; `T_orig` the examples the original first needed to reach the "
        + "recovery target (per seed, as a fraction of its S×E; the target is per run, the "
        + "smallest shown). The curves below should be flat at the end.");
    line("");
    all.forEach(this::original);
  }

  private void original(Originals o) {
    Shape c = o.shape();
    line("### %s", c);
    line("");
    line("| arch | N | D | seed | S × E (examples) | L* | σ | T_orig / (S×E) | last − first "
        + "of the last k |");
    line("|---|---|---|---|---|---|---|---|---|");
    for (Originals.Row r : o.rows()) {
      line("| %s | %d | %d | %d | %d | %s | %s | %s | %s |", c.arch().key(), c.n(), c.d(),
          r.seed(), r.refExamples(), Interval.fmt(r.lossStar()), Interval.fmt(r.sigma()),
          r.tOrigToRef().isPresent() ? Interval.fmt(r.tOrigToRef().getAsDouble()) : "—",
          Interval.fmt(r.drift()));
    }
    line("");
    o.chart().ifPresent(this::embed);
  }

  private void rho(List<RhoPerLayer> tables) {
    line("## ρ per layer");
    line("");
    line("Kaplan–Meier median over seeds [95% bootstrap CI on log ρ]; `recovered` counts "
        + "recovered/(seeds − undamaged). The plots show each seed's ρ (hollow: censored at "
        + "what it spent) beside the median and its interval.");
    line("");
    for (RhoPerLayer t : tables) {
      line("### %s", t.shape());
      line("");
      line("| layer | scheme | freeze | lr | recovered | ρ = T_ε / B_ref | ρ_orig = T_ε / T_orig "
          + "| T_ε / T_scratch |");
      line("|---|---|---|---|---|---|---|---|");
      for (RhoPerLayer.Row r : t.rows()) {
        Arm a = r.cell().arm();
        line("| %s | %s | %s | %sx | %s | %s | %s | %s |", r.cell().target().label(),
            a.scheme(), a.freeze().key(), Arm.mult(a.lr()), r.tally(), r.rho().format(),
            r.rhoOrig().format(), r.scratch().map(Censored.Estimate::format).orElse("—"));
      }
      line("");
      t.chart().ifPresent(this::embed);
    }
  }

  private static String cell(Optional<PositionTable.Cell> c) {
    return c.map(PositionTable.Cell::toString).orElse("—");
  }

  private void positions(PositionTable p) {
    line("## How position, N and D change ρ");
    line("");
    line("Median ρ [95% CI] by relative position; first = block 0, last = block N−1, middle = "
        + "the blocks between, each its own cell (middle blocks are shown one by one).");
    line("");
    line("| arch | N | D | scheme | freeze | lr | first | middle | last |");
    line("|---|---|---|---|---|---|---|---|---|");
    for (PositionTable.Row r : p.rows()) {
      String mid = r.middle().entrySet().stream().map(e -> "L" + e.getKey() + ": " + e.getValue())
          .collect(Collectors.joining("; "));
      Shape c = r.shape();
      line("| %s | %d | %d | %s | %s | %sx | %s | %s | %s |", c.arch().key(), c.n(), c.d(),
          r.arm().scheme(), r.arm().freeze().key(), Arm.mult(r.arm().lr()), cell(r.first()),
          mid.isEmpty() ? "—" : mid, cell(r.last()));
    }
    line("");
  }

  private void notRecovered(Outcomes o) {
    line("## Runs that did not recover");
    line("");
    if (o.notRecovered().isEmpty()) {
      line("Every damaged run recovered.");
      line("");
      return;
    }
    line("Censored in the ρ estimates at the examples they spent.");
    line("");
    line("| arch | N | D | layer | scheme | freeze | lr | seed | verdict | final − L* (nats) | "
        + "examples spent / B_ref |");
    line("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Outcomes.NotRecovered r : o.notRecovered()) {
      RunKey k = r.key();
      line("| %s | %d | %d | %s | %s | %s | %sx | %d | %s | %s | %s |", k.arch().key(),
          k.nLayers(), k.dModel(), k.layer(), k.scheme(), k.freeze().key(),
          Arm.mult(k.lrMultiple()), k.seed(), r.verdict(), Interval.fmt(r.finalMinusLossStar()),
          Interval.fmt(r.spentOverRef()));
    }
    line("");
  }

  private void undamaged(Outcomes o) {
    line("## Undamaged wipes");
    line("");
    if (o.undamaged().isEmpty()) {
      line("None: every wipe left L₀ above the target.");
      line("");
      return;
    }
    line("L₀ already met the target: nothing to recover. Not counted in any ρ.");
    line("");
    line("| arch | N | D | layer | scheme | seeds | L₀ − L* (nats) | target − L* (nats) |");
    line("|---|---|---|---|---|---|---|---|");
    for (Outcomes.Undamaged u : o.undamaged()) {
      RunKey k = u.first();
      line("| %s | %d | %d | %s | %s | %s | %s | %s |", k.arch().key(), k.nLayers(), k.dModel(),
          k.layer(), k.scheme(), u.seeds().stream().map(String::valueOf)
              .collect(Collectors.joining(",")), Interval.fmt(u.damage()),
          Interval.fmt(u.tolerance()));
    }
    line("");
  }

  private void failed(List<FailedRun> failures) {
    if (failures.isEmpty()) {
      return;
    }
    line("## Runs that failed");
    line("");
    line("%d runs threw instead of ending with a verdict; they are `FAILED` rows of "
        + "`results.csv` and count nowhere above. Delete a run's record (`runs/<hash>.json`) "
        + "and resume to run it again.", failures.size());
    line("");
    line("| arch | N | D | layer | scheme | freeze | seed | error |");
    line("|---|---|---|---|---|---|---|---|");
    for (FailedRun f : failures) {
      RunKey k = f.key();
      line("| %s | %d | %d | %s | %s | %s | %d | %s |", k.arch().key(), k.nLayers(), k.dModel(),
          k.layer(), k.scheme(), k.freeze().key(), k.seed(),
          f.error().replace('|', '/').replace('\n', ' '));
    }
    line("");
  }

  private void damage(DamageTable d) {
    line("### %s", d.shape());
    line("");
    line("| layer | scheme | L* | L₀ − L* | deleted − L* |");
    line("|---|---|---|---|---|");
    for (DamageTable.Row r : d.rows()) {
      line("| %s | %s | %s | %s | %s |", r.what().target().label(), r.what().scheme(),
          Interval.fmt(r.lossStar().mean()), r.wipe().format(), r.deleted().format());
    }
    line("");
    d.idle().ifPresent(i -> {
      String idle = i.idle().stream().map(b -> "L=" + b.position() + " ("
          + Interval.fmt(b.cost()) + ")").collect(Collectors.joining(", "));
      line(i.idle().isEmpty()
          ? "No idle block: deleting any single block costs more than ε = %s nats (the "
              + "cheapest costs %s)."
          : "Idle blocks — deleting them costs no more than ε = %s nats: " + idle
              + " (the cheapest costs %s).", Interval.fmt(i.epsilon()),
          Interval.fmt(i.cheapest()));
      line("");
    });
    d.baseline().ifPresent(b -> {
      line("Baseline: an (N−1) = %d-layer model of the same width trained from scratch on the "
          + "same data reaches L* = %s (this N = %d original: %s), so %s nats above this L*.",
          b.shallowerN(), b.shallower().format(), b.n(), b.own().format(),
          Interval.fmt(b.difference()));
      line("");
    });
    d.chart().ifPresent(this::embed);
  }

  private void pooled(Pooled p) {
    line("## ρ against relative depth, and step-0 damage against ρ");
    line("");
    line("The first chart has one line per shape (N and D) and arm, each point a cell's median "
        + "ρ; the second pools the recovered runs of every shape (a picture, not a statistic).");
    line("");
    p.byDepth().ifPresent(this::embed);
    p.damageVsRho().ifPresent(this::embed);
    line("");
  }

  private void asides(List<Aside> asides) {
    Aside.lines(asides).forEach(this::line);
  }

  private void pastTarget(PastTarget p) {
    p.lines().forEach(this::line);
  }

  private void scratch(Baselines b) {
    line("## Recovery vs training from scratch");
    line("");
    if (b.scratch().isEmpty()) {
      line("`T_scratch` was not measured (`--scratch` to measure it); `T_orig` above, read "
          + "off the original's own curve, is the comparison with training from the start.");
      line("");
      return;
    }
    line("`T_scratch`: examples a freshly initialised model needs to reach the same target. "
        + "`ρ_scratch = T_scratch / B_ref`.");
    line("");
    line("| arch | N | D | originals measured | ρ_scratch (95% CI) |");
    line("|---|---|---|---|---|");
    for (Baselines.Scratch s : b.scratch().get()) {
      Shape c = s.shape();
      line("| %s | %d | %d | %d/%d | %s |", c.arch().key(), c.n(), c.d(), s.measured(),
          s.originals(), s.rho().map(Censored.Estimate::format).orElse("—"));
    }
    line("");
  }

  private void control(Baselines b) {
    line("## Control: everything trainable vs only the wiped layer");
    line("");
    if (b.control().isEmpty()) {
      line("This study did not run both `onlyWiped` and `allTrainable`; add "
          + "`--policies onlyWiped,allTrainable` to compare.");
      line("");
      return;
    }
    line("What freezing costs: for each seed, ρ(onlyWiped) / ρ(allTrainable) of the same wipe "
        + "of the same original; median over the seed pairs in which both recovered, 95% "
        + "bootstrap CI on the log ratio. Above 1: freezing slowed recovery. Pairs in which "
        + "either did not recover are counted, not used.");
    line("");
    line("| arch | N | D | layer | scheme | lr | ratio onlyWiped / allTrainable | pairs used | "
        + "pairs with a non-recovery |");
    line("|---|---|---|---|---|---|---|---|---|");
    for (Baselines.Control c : b.control().get()) {
      Shape s = c.shape();
      line("| %s | %d | %d | %s | %s | %sx | %s | %d | %d |", s.arch().key(), s.n(), s.d(),
          c.key().target().label(), c.key().scheme(), Arm.mult(c.key().lr()),
          c.ratio().map(Censored.Estimate::format).orElse("—"), c.used(), c.leftOut());
    }
    line("");
  }

  private void curves(Curves c) {
    line("## Recovery curves");
    line("");
    line("Validation loss against examples seen (log axis, so step 0 is left out), one line per "
        + "wiped layer, for the lowest seed; dashed: the recovery target and the original's L*. "
        + "Every seed's curve, with hover, is in report.html.");
    line("");
    c.charts().forEach(this::embed);
  }
}
