#!/usr/bin/env python3
"""The findings' answers, computed from a study's results.csv (standard library only).

    bench/findings_answers.py DIR/results.csv > answers.md
    bench/findings_answers.py DIR/results.csv --batch-size 32 --eval-every 8 --recovery-warmup 8

The answers lead with absolute costs: examples seen and optimiser steps to recover, per block,
beside ρ, ρ_orig, B_ref and T_scratch in examples. ρ = T_ε / B_ref divides by where each original
stopped (its plateau rule or epoch cap) and moves with that choice; the examples do not. Steps
need the recovery's batch size, and the flags on costs near the schedule need its evaluation
interval and warm-up: they are read from the run manifests in DIR/results.json when it is there,
else from the flags (defaults: the standard preset's 32, 8 and 8).

Each sub-question of the study gets its numbers with 95% intervals. Intervals are percentile
bootstrap intervals (10,000 resamples, seed 1) that resample *originals* (one (N, D, seed)
model and all its runs together), because the runs of one original share its weights and its
validation data and are not independent. Runs that did not recover enter ρ statistics as
"not reached" (counted and named, never dropped silently); UNDAMAGED runs (the wipe did not
move the loss past the target) are counted apart and have no ρ.
"""
import argparse
import csv
import json
import math
import os
import random
import re
import statistics
import sys
from collections import defaultdict

RESAMPLES = 10_000
BLOCK = re.compile(r"^(?:decoder\.)?blocks\.(\d+)$")
SUB = re.compile(r"^blocks\.(\d+)\.(attn|mlp|ln)$")


def load(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            r["N"] = int(r["n_layers"])
            r["D"] = int(r["d_model"])
            r["seed"] = int(r["seed"])
            r["lstar"] = float(r["loss_original"])
            r["l0"] = float(r["loss_after_wipe"]) if r["loss_after_wipe"] else math.nan
            r["deleted"] = float(r["loss_deleted"]) if r["loss_deleted"] else math.nan
            r["target"] = float(r["target_loss"]) if r.get("target_loss") else math.nan
            r["rho_v"] = float(r["rho"]) if r["rho"] else math.nan
            m = BLOCK.match(r["layer"])
            s = SUB.match(r["layer"])
            r["L"] = int(m.group(1)) if m else (int(s.group(1)) if s else None)
            r["sub"] = s.group(2) if s else ("block" if m else None)
            r["lr"] = float(r.get("recovery_lr_multiple") or 1)
            rows.append(r)
    return rows


def primary(r):
    return (r["sub"] == "block" and r["scheme"] == "FRESH" and r["freeze"] == "onlyWiped"
            and r["lr"] == 1.0)


def recovered(r):
    return r["verdict"] == "RECOVERED"


def fmt(x, d=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{d}f}"


def boot(groups, stat, resamples=RESAMPLES, seed=1):
    """Percentile bootstrap of stat(list of rows) resampling the groups (originals)."""
    keys = sorted(groups)
    point = stat([r for k in keys for r in groups[k]])
    if len(keys) < 2 or point is None or math.isnan(point):
        return point, math.nan, math.nan
    rnd = random.Random(seed)
    vals = []
    for _ in range(resamples):
        pick = [keys[rnd.randrange(len(keys))] for _ in keys]
        v = stat([r for k in pick for r in groups[k]])
        if v is not None and not math.isnan(v):
            vals.append(v)
    if len(vals) < resamples * 0.9:
        return point, math.nan, math.nan
    vals.sort()
    return point, vals[int(0.025 * len(vals))], vals[int(0.975 * len(vals)) - 1]


def t_quantile(q, df):
    """The q-quantile of Student's t with df degrees of freedom, by integrating its density."""
    c = math.gamma((df + 1) / 2) / (math.sqrt(df * math.pi) * math.gamma(df / 2))

    def cdf(x, n=2000):
        h = x / n
        f = [c * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2) for i in range(n + 1)]
        return 0.5 + h / 3 * (f[0] + f[-1] + 4 * sum(f[1:-1:2]) + 2 * sum(f[2:-1:2]))

    lo, hi = 0.0, 200.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def tci(values):
    """Mean and 95% Student-t interval of per-original values (NaNs dropped and counted)."""
    v = [x for x in values if not math.isnan(x)]
    if not v:
        return math.nan, math.nan, math.nan
    m = statistics.fmean(v)
    if len(v) < 2:
        return m, math.nan, math.nan
    h = t_quantile(0.975, len(v) - 1) * statistics.stdev(v) / math.sqrt(len(v))
    return m, m - h, m + h


def per_original(groups, stat):
    """Student-t interval over originals of stat(runs of one original)."""
    return tci([stat(groups[k]) for k in sorted(groups)])


def ci(t, d=3):
    p, lo, hi = t
    if math.isnan(lo):
        return fmt(p, d)
    return f"{fmt(p, d)} [{fmt(lo, d)}, {fmt(hi, d)}]"


def by_original(rows):
    g = defaultdict(list)
    for r in rows:
        g[(r["N"], r["D"], r["seed"])].append(r)
    return g


def mean_rho(rows):
    """Mean ρ over recovered runs; NaN if a run did not recover (its ρ is unknown)."""
    rs = [r for r in rows if r["verdict"] != "UNDAMAGED"]
    if not rs or any(not recovered(r) for r in rs):
        return math.nan
    return statistics.fmean(r["rho_v"] for r in rs)


def median_rho(rows):
    """Median ρ with not-recovered runs as +∞ (censored above); UNDAMAGED excluded."""
    v = sorted(r["rho_v"] if recovered(r) else math.inf for r in rows
               if r["verdict"] != "UNDAMAGED")
    return statistics.median(v) if v else math.nan


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(pairs):
    if len(pairs) < 3:
        return math.nan
    a = ranks([p[0] for p in pairs])
    b = ranks([p[1] for p in pairs])
    try:
        return statistics.correlation(a, b)
    except statistics.StatisticsError:
        return math.nan


FEW_STEPS = 3  # a median cost this close to the warm-up or the evaluation gap is flagged


def schedule_settings(csv_path, batch_size, eval_every, warmup):
    """(batch, k, warm-up, source): from the first run manifest of results.json beside the CSV
    when it names them, else the given values."""
    path = os.path.join(os.path.dirname(os.path.abspath(csv_path)), "results.json")
    try:
        with open(path, encoding="utf-8") as f:
            runs = json.load(f).get("runs", [])
        conf = runs[0]["manifest"]["configuration"] if runs else {}
        return (int(conf["batch_size"]), int(conf["eval_every"]), int(conf["recovery_warmup"]),
                "the run manifests in results.json")
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return batch_size, eval_every, warmup, "the command line (no results.json manifests)"


def is_due(step, k):
    """EvaluationSchedule.dense(k).isDue: every step to 10, then at most 10 % apart until the
    gap reaches k, then every k steps (multiples of k always)."""
    if step < 1:
        return False
    if step % k == 0:
        return True
    t = 1
    while t < step:
        nxt = max(t + 1, math.floor(t * 1.1 + 1e-9))
        if nxt - t >= k:
            return False
        t = nxt
    return t == step


def gap_before(step, k):
    """The evaluation resolution at a recovery judged at `step`: steps since the evaluation
    before it (0 being the step-0 loss)."""
    prev = step - 1
    while prev > 0 and not is_due(prev, k):
        prev -= 1
    return step - prev


def censored_median(values):
    """Median with runs that did not recover as +inf (censored above); NaN when empty."""
    v = sorted(values)
    return statistics.median(v) if v else math.nan


def count(x):
    if x is None or math.isnan(x):
        return "—"
    if math.isinf(x):
        return "not reached"
    return f"{x:.0f}"


def count_ci(t):
    p, lo, hi = t
    if math.isinf(p):
        return "not reached"
    if math.isnan(lo):
        return count(p)
    return f"{count(p)} [{math.floor(lo):.0f}, {'not reached' if math.isinf(hi) else f'{math.ceil(hi):.0f}'}]"


def near_schedule(steps, warmup, gap):
    """Where a median cost in steps sits against the warm-up and the evaluation gap."""
    if math.isnan(steps) or math.isinf(steps):
        return ""
    notes = []
    if steps <= warmup:
        notes.append(f"inside the {warmup}-step warm-up")
    elif steps <= warmup + FEW_STEPS:
        notes.append(f"within {FEW_STEPS} steps of the {warmup}-step warm-up")
    if gap is not None and steps <= gap + FEW_STEPS:
        notes.append(f"within {FEW_STEPS} steps of the evaluation gap ({gap} steps)")
    return "; ".join(notes)


def absolute_costs(p, batch, k, warmup, source):
    """Section 0: examples and steps to recover per block of the question's arm."""
    out = ["### 0. Absolute costs first: examples and optimiser steps to recover", ""]
    out.append(
        f"Examples seen until T_ε (and optimiser steps, at {batch} strings per step), per block "
        "of the question's arm: the median over seeds, a run that did not recover counted "
        "above every recovered one (censored, not dropped; *not reached* when half or more "
        "did not recover), undamaged runs counted apart; 95% percentile-bootstrap interval "
        "over originals (10,000 resamples, seed 1). Beside them the same cell's median ρ and "
        "ρ_orig, and the shape's B_ref = S × E and T_scratch in examples. ρ = T_ε / B_ref "
        "divides by wherever each original's plateau rule or epoch cap stopped it: an original "
        "trained k× longer divides every ρ by about k while the examples a recovery needs stay "
        "put, so the examples are the answer and ρ its scale. Recoveries are evaluated after "
        f"every step to 10, then at most 10 % apart, then every {k} steps, after a learning-rate "
        f"warm-up of {warmup} steps (settings from {source}); a median cost inside the warm-up or "
        f"within {FEW_STEPS} steps of it or of the evaluation gap at T_ε is marked: it measures "
        "the schedule as much as the block.")
    out.append("")
    out.append("| N | D | block | recovered (undamaged) | T_ε, examples | T_ε, steps | "
               "evaluation gap at T_ε (steps) | near the schedule | median ρ | median ρ_orig | "
               "B_ref (examples) | T_scratch (examples) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (nn, d) in sorted({(r["N"], r["D"]) for r in p}):
        shape = [r for r in p if r["N"] == nn and r["D"] == d]
        originals = {r["seed"]: r for r in shape}
        ref = sorted({int(r["ref_examples"]) for r in originals.values()})
        scratch = sorted(int(r["examples_scratch"]) for r in originals.values()
                         if r.get("examples_scratch"))
        for block in sorted({r["L"] for r in shape}):
            rs = [r for r in shape if r["L"] == block and r["verdict"] != "UNDAMAGED"]
            und = sum(1 for r in shape if r["L"] == block and r["verdict"] == "UNDAMAGED")
            if not rs:
                out.append(f"| {nn} | {d} | {block} | 0 ({und}) | — | — | — | — | — | — | "
                           f"{'–'.join(map(str, (ref[0], ref[-1]))) if len(ref) > 1 else ref[0]}"
                           f" | — |")
                continue

            def examples(x):
                return censored_median([float(r["examples_to_recover"]) if recovered(r)
                                        else math.inf for r in x])

            ex = boot(by_original(rs), examples)
            steps = tuple(v / batch for v in ex)
            gaps = [gap_before(int(r["examples_to_recover"]) // batch, k)
                    for r in rs if recovered(r)]
            gap = max(gaps) if gaps else None
            rho = censored_median([r["rho_v"] if recovered(r) else math.inf for r in rs])
            rho_orig = censored_median([float(r["rho_orig"]) if recovered(r) else math.inf
                                        for r in rs if r.get("examples_orig")
                                        and (r.get("rho_orig") or not recovered(r))])
            out.append(
                f"| {nn} | {d} | {block} | {sum(map(recovered, rs))}/{len(rs)} ({und}) | "
                f"{count_ci(ex)} | {count_ci(steps)} | {gap if gap is not None else '—'} | "
                f"{near_schedule(steps[0], warmup, gap) or '—'} | "
                f"{'not reached' if math.isinf(rho) else fmt(rho)} | "
                f"{'not reached' if math.isinf(rho_orig) else fmt(rho_orig)} | "
                f"{ref[0] if len(ref) == 1 else f'{ref[0]}–{ref[-1]}'} | "
                f"{(str(scratch[0]) if len(scratch) == 1 else f'{scratch[0]}–{scratch[-1]}') if scratch else 'not measured'} |")
    out.append("")
    return out


def main(path, batch_size=32, eval_every=8, recovery_warmup=8):
    rows = load(path)
    out = []
    p = [r for r in rows if primary(r)]
    shapes = sorted({(r["N"], r["D"]) for r in p})
    out.append("## The answers, with intervals")
    out.append("")
    out.append("Computed by `bench/findings_answers.py` from this run's `results.csv`. A cell of "
               "one shape is the mean over its originals (seeds) of a per-original value, "
               "with a 95% Student-t interval over those originals; pooled statistics "
               "(correlations over shapes) have 95% percentile-bootstrap intervals that "
               "resample whole originals (an (N, D, seed) model with all its runs), 10,000 "
               "resamples, seed 1. With five originals per shape the t interval is the honest "
               "one; the bootstrap is used only where there are tens of originals. "
               "The question's arm is a whole block wiped with `FRESH`, only it trainable, "
               "recovering at the original's peak rate.")
    out.append("")
    batch, k, warmup, source = schedule_settings(path, batch_size, eval_every, recovery_warmup)
    out += absolute_costs(p, batch, k, warmup, source)

    # 1. How fast
    n = len(p)
    und = sum(r["verdict"] == "UNDAMAGED" for r in p)
    rec = [r for r in p if recovered(r)]
    notrec = [r for r in p if r["verdict"] not in ("RECOVERED", "UNDAMAGED")]
    b1 = sum(r["rho_v"] < 0.01 for r in rec)
    b10 = sum(0.01 <= r["rho_v"] < 0.1 for r in rec)
    b100 = sum(0.1 <= r["rho_v"] < 1 for r in rec)
    bmore = sum(r["rho_v"] >= 1 for r in rec)
    out.append("### 1. How much of the original training does a wiped block need?")
    out.append("")
    out.append(f"{n} runs of the question's arm over {len(shapes)} shapes × seeds: "
               f"{len(rec)} recovered, {und} undamaged (the wipe left the loss within the "
               f"target), {len(notrec)} did not recover"
               + (" (" + ", ".join(f"N={r['N']} D={r['D']} {r['layer']} seed {r['seed']}: "
                                   f"{r['verdict']}" for r in notrec) + ")" if notrec else "")
               + ".")
    out.append("")
    firsts, lasts = [], []
    for (nn, d) in shapes:
        for want, acc in ((0, firsts), (nn - 1, lasts)):
            rs = [r for r in p if r["N"] == nn and r["D"] == d and r["L"] == want
                  and r["verdict"] != "UNDAMAGED"]
            if rs and (want > 0 or acc is firsts):
                acc.append(censored_median([float(r["examples_to_recover"]) if recovered(r)
                                            else math.inf for r in rs]))
    if firsts:
        batch, _, _, _ = schedule_settings(path, batch_size, eval_every, recovery_warmup)

        def span(v):
            lo, hi = min(v), max(v)
            if math.isinf(lo):
                return "not reached in any shape (half or more of the seeds did not recover)"
            if lo == hi:
                return f"{count(lo)} examples ({count(lo / batch)} steps)"
            steps = (count(lo / batch) if count(lo / batch) == count(hi / batch)
                     else f"{count(lo / batch)}–{count(hi / batch)}")
            return f"{count(lo)}–{count(hi)} examples ({steps} steps)"

        parts = ["block 0: " + span(firsts)] + (["the last block: " + span(lasts)] if lasts else [])
        out.append("In examples first (section 0), the median cost across shapes: "
                   + "; ".join(parts) + ". The ρ below are these divided by each original's B_ref.")
        out.append("")
    out.append("| ρ = T_ε / B_ref | runs |")
    out.append("|---|---|")
    out.append(f"| < 1% | {b1} |")
    out.append(f"| 1% – 10% | {b10} |")
    out.append(f"| 10% – 100% | {b100} |")
    out.append(f"| ≥ 100% (more than the original's whole training) | {bmore} |")
    out.append(f"| never (within the budget) | {len(notrec)} |")
    out.append(f"| undamaged | {und} |")
    out.append("")
    out.append("Median ρ per shape (all blocks and seeds, not-recovered runs counted as above "
               "every recovered one; no interval), and the mean ρ of block 0 and of the other "
               "blocks (an original with a block that did not recover has no mean and is left "
               "out of that cell):")
    out.append("")
    out.append("| N | D | L* | median ρ, all blocks | block 0: mean ρ | blocks 1..N−1: mean ρ "
               "| block 0 / others |")
    out.append("|---|---|---|---|---|---|---|")
    for (nn, d) in shapes:
        rs = [r for r in p if r["N"] == nn and r["D"] == d]
        g = by_original(rs)
        lstar = statistics.fmean({(r["seed"]): r["lstar"] for r in rs}.values())
        med = (median_rho(rs), math.nan, math.nan)
        b0 = per_original(g, lambda x: mean_rho([r for r in x if r["L"] == 0]))
        if nn > 1:
            oth = per_original(g, lambda x: mean_rho([r for r in x if r["L"] > 0]))
            ratio = per_original(g, lambda x: mean_rho([r for r in x if r["L"] == 0])
                                 / mean_rho([r for r in x if r["L"] > 0]))
        else:
            oth = ratio = (math.nan, math.nan, math.nan)
        out.append(f"| {nn} | {d} | {fmt(lstar)} | {ci(med)} | {ci(b0)} | {ci(oth)} | "
                   f"{ci(ratio, 2)} |")
    out.append("")

    # 2. Position
    out.append("### 2. Does the position of the wiped block matter?")
    out.append("")
    out.append("Spearman rank correlation between relative depth L/(N−1) and ρ (recovered runs "
               "of the question's arm, N ≥ 2), per width and pooled; negative means deeper "
               "blocks heal faster.")
    out.append("")
    out.append("| runs | D | Spearman(L/(N−1), ρ) |")
    out.append("|---|---|---|")

    def sp(x):
        return spearman([(r["L"] / (r["N"] - 1), r["rho_v"]) for r in x
                         if recovered(r) and r["N"] > 1])

    for d in sorted({s[1] for s in shapes}) + [None]:
        rs = [r for r in p if d is None or r["D"] == d]
        out.append(f"| {len([r for r in rs if recovered(r)])} | {'all' if d is None else d} | "
                   f"{ci(boot(by_original(rs), sp), 2)} |")
    out.append("")
    out.append("Mean ρ by position, first / middle / last block:")
    out.append("")
    out.append("| N | D | first | middle | last |")
    out.append("|---|---|---|---|---|")
    for (nn, d) in shapes:
        if nn < 2:
            continue
        g = by_original([r for r in p if r["N"] == nn and r["D"] == d])
        f = per_original(g, lambda x: mean_rho([r for r in x if r["L"] == 0]))
        m = per_original(g, lambda x: mean_rho([r for r in x if 0 < r["L"] < nn - 1])) \
            if nn > 2 else (math.nan, math.nan, math.nan)
        la = per_original(g, lambda x: mean_rho([r for r in x if r["L"] == nn - 1]))
        out.append(f"| {nn} | {d} | {ci(f)} | {ci(m)} | {ci(la)} |")
    out.append("")

    # 3. N and D
    out.append("### 3. Do N and D matter?")
    out.append("")
    out.append("Mean ρ over all blocks of a model (the cost of a uniformly chosen block), and "
               "the step-0 damage L₀ − L* of the same runs:")
    out.append("")
    ds = sorted({s[1] for s in shapes})
    out.append("| N | " + " | ".join(f"D={d}: mean ρ | D={d}: L₀ − L*" for d in ds) + " |")
    out.append("|---|" + "---|---|" * len(ds))
    for nn in sorted({s[0] for s in shapes}):
        cells = []
        for d in ds:
            g = by_original([r for r in p if r["N"] == nn and r["D"] == d])
            if not g:
                cells += ["—", "—"]
                continue
            cells.append(ci(per_original(g, mean_rho)))
            cells.append(ci(per_original(g, lambda x: statistics.fmean(r["l0"] - r["lstar"]
                                                                       for r in x))))
        out.append(f"| {nn} | " + " | ".join(cells) + " |")
    out.append("")

    # 4. Deletion, idle blocks, N-1 baseline
    out.append("### 4. Is any block idle? Deletion and the (N−1)-layer baseline")
    out.append("")
    out.append("`deleted − L*`: the loss with the block removed (identity) minus L*; a block is "
               "idle when that is within the recovery tolerance ε = target − L*.")
    out.append("")
    out.append("| N | D | deleted − L*, per block (mean over seeds) | idle blocks | "
               "L*(N−1) − L*(N) |")
    out.append("|---|---|---|---|---|")
    lstar_of = {}
    for r in p:
        lstar_of.setdefault((r["N"], r["D"]), {})[r["seed"]] = r["lstar"]
    for (nn, d) in shapes:
        rs = [r for r in p if r["N"] == nn and r["D"] == d and not math.isnan(r["deleted"])]
        per = []
        idle = []
        for l in range(nn):
            rl = [r for r in rs if r["L"] == l]
            if not rl:
                continue
            cost = statistics.fmean(r["deleted"] - r["lstar"] for r in rl)
            eps = statistics.fmean(r["target"] - r["lstar"] for r in rl)
            per.append(fmt(cost))
            if cost <= eps:
                idle.append(f"L={l}")
        base = "—"
        if (nn - 1, d) in lstar_of:
            a, b = lstar_of[(nn - 1, d)], lstar_of[(nn, d)]
            seeds = sorted(set(a) & set(b))
            base = ci(tci([a[s] - b[s] for s in seeds]))
        out.append(f"| {nn} | {d} | {' / '.join(per)} | {', '.join(idle) or 'none'} | {base} |")
    out.append("")

    # 5. Damage predicts cost?
    out.append("### 5. Does step-0 damage predict the cost?")
    out.append("")
    dm = [r for r in p if recovered(r)]
    g = by_original(dm)
    out.append("Spearman(L₀ − L*, ρ) over recovered runs of the question's arm: "
               + ci(boot(g, lambda x: spearman([(r["l0"] - r["lstar"], r["rho_v"]) for r in x])),
                    2)
               + f" ({len(dm)} runs); per width: "
               + "; ".join(f"D={d}: " + ci(boot(by_original([r for r in dm if r['D'] == d]),
                                                lambda x: spearman([(r['l0'] - r['lstar'],
                                                                     r['rho_v']) for r in x])), 2)
                           for d in ds) + ".")
    out.append("")

    # 6. Schemes and sublayers (where the plan has them)
    arms = [r for r in rows if r["L"] is not None and r["freeze"] == "onlyWiped"
            and r["lr"] == 1.0 and (r["scheme"] != "FRESH" or r["sub"] != "block")]
    if arms:
        out.append("### 6. Schemes and sublayers (one factor at a time, against the question's arm)")
        out.append("")
        out.append("Paired by original and block: the arm's ρ minus the question's arm's ρ "
                   "(FRESH, whole block) on the same original and block, mean over blocks and "
                   "seeds; pairs where either run did not recover or was undamaged are left out "
                   "and counted.")
        out.append("")
        out.append("| N | D | arm | pairs (left out) | mean ρ, arm | mean ρ, FRESH block | "
                   "difference | L₀ − L*, arm | L₀ − L*, FRESH block |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        base = {(r["N"], r["D"], r["seed"], r["L"]): r for r in p}
        kinds = sorted({(r["N"], r["D"], r["scheme"], r["sub"]) for r in arms})
        for (nn, d, sch, sub) in kinds:
            rs = [r for r in arms if (r["N"], r["D"], r["scheme"], r["sub"]) == (nn, d, sch, sub)]
            pairs = [(r, base.get((r["N"], r["D"], r["seed"], r["L"]))) for r in rs]
            pairs = [(a, b) for a, b in pairs if b is not None]
            good = [(a, b) for a, b in pairs if recovered(a) and recovered(b)]
            gg = defaultdict(list)
            for a, b in good:
                gg[(a["N"], a["D"], a["seed"])].append((a, b))
            name = f"{sch} block" if sub == "block" else f"FRESH {sub}"

            def pm(f):
                return lambda x: statistics.fmean(f(a, b) for a, b in x) if x else math.nan

            out.append(
                f"| {nn} | {d} | {name} | {len(good)} ({len(pairs) - len(good)}) | "
                f"{ci(per_original(gg, pm(lambda a, b: a['rho_v'])))} | "
                f"{ci(per_original(gg, pm(lambda a, b: b['rho_v'])))} | "
                f"{ci(per_original(gg, pm(lambda a, b: a['rho_v'] - b['rho_v'])))} | "
                f"{fmt(statistics.fmean(a['l0'] - a['lstar'] for a, _ in pairs))} | "
                f"{fmt(statistics.fmean(b['l0'] - b['lstar'] for _, b in pairs))} |")
        out.append("")
        und_arms = defaultdict(int)
        for r in arms:
            if r["verdict"] == "UNDAMAGED":
                und_arms[(r["scheme"] if r["sub"] == "block" else r["sub"])] += 1
        if und_arms:
            out.append("Undamaged arm runs (no ρ): " + ", ".join(
                f"{k}: {v}" for k, v in sorted(und_arms.items())) + ".")
            out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="?", default="study-out/results.csv")
    ap.add_argument("--batch-size", type=int, default=32,
                    help="strings per recovery step, when results.json does not say (standard: 32)")
    ap.add_argument("--eval-every", type=int, default=8,
                    help="the schedule's steady gap k, when results.json does not say (standard: 8)")
    ap.add_argument("--recovery-warmup", type=int, default=8,
                    help="recovery warm-up steps, when results.json does not say (standard: 8)")
    a = ap.parse_args()
    main(a.results, a.batch_size, a.eval_every, a.recovery_warmup)
