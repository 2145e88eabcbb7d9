#!/usr/bin/env python3
"""Issue 22's sensitivity arms against the findings run, from the studies' results.csv files.

    bench/arms.py STANDARD_DIR ARMS_DIR [--text-reference FILE] > arms.md

ARMS_DIR holds one study directory per arm (names below); an arm whose directory has no
results.csv is reported as not run. Each arm changes one thing against the standard preset's
question arm (a whole block, FRESH, onlyWiped, recovery rate 1x, tolerance 0.02 nats, originals
stopped by the plateau rule or the 8-epoch cap) and is compared with the standard run's rows of
the same shapes and seeds, block by block:

- the examples to recover: the median over seeds, a run that did not recover counted above every
  recovered one (censored, never dropped; "not reached" when half or more did not), UNDAMAGED runs
  counted apart, with the smallest and largest seed's value (with 3 seeds an interval would be
  decoration);
- the arm's median over the standard's (the ratio of the medians);
- the median rho of both, and the order of the blocks by median examples in each.

Standard library only; the block pattern and the row loader are findings_answers.py's.
"""
import argparse
import math
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import findings_answers as fa  # noqa: E402

# directory -> (what the arm changes, how its rows pair with the standard's)
ARMS = {
    "a-longer2x": "(a) originals trained a fixed 1,248 steps (2x the plateau rule's median 624 at "
                  "N=4 D=128), the rate decayed linearly to 0 (`--train-steps 1248`)",
    "a-longer4x": "(a) originals trained a fixed 2,496 steps (4x), the rate decayed to 0 "
                  "(`--train-steps 2496`)",
    "b-strings4x": "(b) originals trained on 4x the strings (S = 16,384, `--strings 16384`), "
                   "plateau rule and 8-epoch cap as in the preset",
    "c-eps0.01": "(c) tolerance 0.01 nats (`--epsilon 0.01`; the noise rule keeps "
                 "max(eps, 2 sigma) of the original's loss)",
    "c-eps0.005": "(c) tolerance 0.005 nats (`--epsilon 0.005`; where the original's 2 sigma "
                  "is larger, 0.004-0.006 nats here, the noise rule uses it)",
    "d-rate": "(d) recovery peak rate 0.3x and 3x the original's (`--recovery-lr 0.3x,3x`)",
    "e-alltrainable": "(e) every parameter trainable during recovery (`--policies allTrainable`)",
    "text": "natural text: Europarl characters (`--task text`), N=4 D=64; no standard rows to "
            "compare with",
}


def arm_rows(rows):
    """Whole-block FRESH rows of any policy, rate and tolerance: the arm's own primary."""
    return [r for r in rows if r["sub"] == "block" and r["scheme"] == "FRESH"]


def cost(r):
    """Examples to recover; +inf for a run that did not recover; None when undamaged."""
    if r["verdict"] == "UNDAMAGED":
        return None
    if fa.recovered(r):
        return float(r["examples_to_recover"])
    return math.inf


def summary(rs):
    costs = [c for c in (cost(r) for r in rs) if c is not None]
    und = sum(1 for r in rs if r["verdict"] == "UNDAMAGED")
    rec = sum(1 for r in rs if fa.recovered(r))
    rhos = [r["rho_v"] if fa.recovered(r) else math.inf for r in rs if cost(r) is not None]
    return {
        "n": len(rs), "undamaged": und, "recovered": rec, "damaged": len(costs),
        "median": fa.censored_median(costs), "lo": min(costs) if costs else math.nan,
        "hi": max(costs) if costs else math.nan,
        "rho": fa.censored_median(rhos), "bref": sorted({int(r["ref_examples"]) for r in rs}),
    }


def examples(s):
    if s["damaged"] == 0:
        return f"— ({s['undamaged']} undamaged)"
    if 2 * (s["damaged"] - s["recovered"]) >= s["damaged"]:
        med = "not reached"
    else:
        med = fa.count(s["median"])
    span = f"{fa.count(s['lo'])}–{fa.count(s['hi'])}" if s["damaged"] > 1 else ""
    return f"{med} [{span}]" if span else med


def ratio(a, b):
    if a["damaged"] == 0 or b["damaged"] == 0:
        return "—"
    x, y = a["median"], b["median"]
    if math.isinf(x) or math.isinf(y) or math.isnan(x) or math.isnan(y) or y == 0:
        return "—"
    return f"{x / y:.2f}"


def rho(x):
    return "not reached" if isinstance(x, float) and math.isinf(x) else fa.fmt(x)


def bref(s):
    v = s["bref"]
    if not v:
        return "—"
    return f"{v[0]}" if len(v) == 1 else f"{v[0]}–{v[-1]}"


# a recovery's warm-up (8 steps) in examples (32 strings a step): a cost at or under it
# measures the schedule as much as the block (findings section 0)
WARMUP_EXAMPLES = 8 * 32


def order(stats):
    """(block, median examples), most costly first; undamaged-only blocks left out."""
    keyed = [(L, s["median"]) for L, s in stats.items() if s["damaged"] > 0]
    keyed.sort(key=lambda t: (-t[1] if not math.isinf(t[1]) else -math.inf, t[0]))
    return keyed


def same_order(a, b):
    """'same', 'same apart from blocks inside the warm-up' (their order among themselves is the
    schedule's, not the blocks'), or 'differs'."""
    if [L for L, _ in a] == [L for L, _ in b]:
        return "same"

    def collapsed(o):
        head = [L for L, m in o if m > WARMUP_EXAMPLES]
        tail = sorted(L for L, m in o if m <= WARMUP_EXAMPLES)
        return head, tail
    if collapsed(a) == collapsed(b):
        return "same apart from the order among blocks recovered inside the 8-step warm-up"
    return "differs"


def group(rows, key):
    g = defaultdict(list)
    for r in rows:
        g[key(r)].append(r)
    return g


def compare(name, arm, std, out):
    """One arm against the standard's rows of the same shapes and seeds."""
    sub_key = (lambda r: r["lr"]) if name == "d-rate" else (lambda r: r["freeze"])
    for variant, vrows in sorted(group(arm, sub_key).items()):
        label = f"rate {variant:g}x" if name == "d-rate" else variant
        out.append(f"\n*{label}*\n")
        out.append("| N | D | block | arm: recovered (undamaged) | arm: examples, median "
                   "[min–max] | standard, same seeds | arm / standard | median ρ arm | "
                   "median ρ standard | B_ref arm | B_ref standard |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        orders = []
        for (n, d), shape in sorted(group(vrows, lambda r: (r["N"], r["D"])).items()):
            seeds = {r["seed"] for r in shape}
            ref = [r for r in std if r["N"] == n and r["D"] == d and r["seed"] in seeds]
            a_by = {L: summary(rs) for L, rs in group(shape, lambda r: r["L"]).items()}
            s_by = {L: summary(rs) for L, rs in group(ref, lambda r: r["L"]).items()}
            for L in sorted(a_by):
                a = a_by[L]
                s = s_by.get(L, summary([]))
                out.append(f"| {n} | {d} | {L} | {a['recovered']}/{a['damaged']} "
                           f"({a['undamaged']}) | {examples(a)} | "
                           f"{examples(s) if s['n'] else '—'} | {ratio(a, s)} | "
                           f"{rho(a['rho'])} | {rho(s['rho'])} | {bref(a)} | {bref(s)} |")
            oa, os_ = order(a_by), order(s_by)
            lstar = (statistics.median({r["seed"]: r["lstar"] for r in shape}.values()),
                     statistics.median({r["seed"]: r["lstar"] for r in ref}.values())
                     if ref else math.nan)
            orders.append((n, d, oa, os_, len(seeds), lstar))
        out.append("")
        for n, d, oa, os_, k, (la, ls) in orders:
            out.append(f"- N={n} D={d} ({k} seeds): blocks from most to least costly, arm "
                       f"{[L for L, _ in oa]}, standard {[L for L, _ in os_]}: "
                       f"{same_order(oa, os_)}. Median L* of the originals: arm {la:.4f}, "
                       f"standard {ls:.4f}.")


def text_section(arm, reference, out):
    out.append("\n| N | D | block | recovered (undamaged) | examples, median [min–max] | "
               "steps (32 strings) | median ρ | B_ref |")
    out.append("|---|---|---|---|---|---|---|---|")
    for (n, d), shape in sorted(group(arm, lambda r: (r["N"], r["D"])).items()):
        for L, rs in sorted(group(shape, lambda r: r["L"]).items()):
            s = summary(rs)
            steps = (fa.count(s["median"] / 32) if s["damaged"] and not math.isinf(s["median"])
                     else "—")
            out.append(f"| {n} | {d} | {L} | {s['recovered']}/{s['damaged']} ({s['undamaged']}) "
                       f"| {examples(s)} | {steps} | {rho(s['rho'])} | {bref(s)} |")
    out.append("\nThe originals, one per seed: L* (validation loss, nats per character) against "
               "the character n-gram references on the same 256 validation windows "
               "(`EuroparlText.ngramLoss`, add-0.1, fitted to the whole training part):\n")
    lstar = {r["seed"]: r["lstar"] for r in arm}
    out.append("| seed | L* | unigram | bigram | trigram | 4-gram | beats the bigram |")
    out.append("|---|---|---|---|---|---|---|")
    for seed in sorted(lstar):
        ref = reference.get(seed)
        if ref is None:
            out.append(f"| {seed} | {lstar[seed]:.4f} | — | — | — | — | not measured |")
            continue
        beats = "yes" if lstar[seed] < ref["bigram"] else "**no**"
        out.append(f"| {seed} | {lstar[seed]:.4f} | {ref['unigram']:.4f} | {ref['bigram']:.4f} "
                   f"| {ref['trigram']:.4f} | {ref['4-gram']:.4f} | {beats} |")


def read_reference(path):
    """Lines 'seed S: unigram U bigram B trigram T 4-gram F' (bench/TextReference.java)."""
    ref = {}
    if not path:
        return ref
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("seed "):
                continue
            head, rest = line.split(":", 1)
            parts = rest.split()
            ref[int(head.split()[1])] = {parts[i]: float(parts[i + 1])
                                         for i in range(0, len(parts), 2)}
    return ref


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("standard")
    p.add_argument("arms")
    p.add_argument("--text-reference")
    a = p.parse_args()
    std = [r for r in fa.load(os.path.join(a.standard, "results.csv")) if fa.primary(r)]
    out = []
    for name, what in ARMS.items():
        path = os.path.join(a.arms, name, "results.csv")
        out.append(f"\n#### {what}\n")
        if not os.path.exists(path):
            out.append("Not run.")
            continue
        rows = arm_rows(fa.load(path))
        out.append(f"`{path}`: {len(rows)} runs.")
        if name == "text":
            text_section(rows, read_reference(a.text_reference), out)
        else:
            compare(name, rows, std, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
