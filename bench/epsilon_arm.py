#!/usr/bin/env python3
"""Sensitivity of the answer to the tolerance ε (issue 22, arm c), from studies' run records.

    bench/epsilon_arm.py DIR [DIR ...] [--derive 0.05 ...]

Each DIR is a finished study (its runs/*.json). A study ran at one ε (its manifest's
`epsilon_nats`); its runs stopped on reaching L* + max(ε, 2σ). A looser tolerance ε' > ε needs
no new run: the evaluation schedule does not depend on the target, so T_ε' is the examples at
the first recorded evaluation whose smoothed loss is at or under L* + max(ε', 2σ), exactly as
the criterion judges it (window and streak as in the manifest; only streaks of one are
derived). A tighter ε needs a study run at it. The script first re-derives each study's own ε
from its curves and stops if that does not reproduce every recorded `examples_to_recover`
(the check that the derivation is the criterion).

Only the question's arm is used: a whole block wiped with FRESH, only it trainable, at the
original's rate. Per shape (N, D) and block it prints the median over seeds of the examples to
recover (steps = examples / batch), how many runs were undamaged at that ε (the wipe left the
loss within the target) or not recovered, and whether the ordering of blocks by cost is the
same as at the reference ε (the first column).
"""
import argparse
import glob
import json
import math
import os
import statistics
import sys
from collections import defaultdict

from findings_answers import BLOCK  # the question's arm: a whole block, as the answers read it


def load(study):
    runs = []
    for path in sorted(glob.glob(os.path.join(study, "runs", "*.json"))):
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
        cfg = r.get("manifest", {}).get("configuration", {})
        if not (r.get("scheme") == "FRESH" and r.get("freeze") == "onlyWiped"
                and float(r.get("recovery_lr_multiple") or 1) == 1.0
                and BLOCK.match(r.get("layer", ""))):
            continue
        r["_eps"] = float(cfg.get("epsilon_nats", "nan"))
        r["_rule"] = cfg.get("target_rule", "")
        r["_criterion"] = cfg.get("criterion", "")
        r["_batch"] = int(cfg.get("batch_size", "32"))
        runs.append(r)
    return runs


def target(r, eps):
    sd = r.get("loss_original_sd") or 0.0
    if r["_rule"] == "NOISE":
        return r["loss_original"] + max(eps, 2 * sd)
    if r["_rule"] in ("NATS", ""):
        return r["loss_original"] + eps
    raise SystemExit("target rule %s: derivation not implemented" % r["_rule"])


def derive(r, eps):
    """('UNDAMAGED' | 'RECOVERED' | 'NOT_RECOVERED', examples or None) at tolerance eps."""
    if "required=1" not in r["_criterion"]:
        raise SystemExit("a streak longer than one evaluation: derivation not implemented")
    t = target(r, eps)
    if r["loss_after_wipe"] <= t:
        return "UNDAMAGED", None
    for p in r["curve"][1:]:
        s = p["smoothed_loss"]
        if isinstance(s, (int, float)) and not math.isnan(s) and s <= t:
            return "RECOVERED", p["examples"]
    return "NOT_RECOVERED", None


def check(runs):
    bad = 0
    for r in runs:
        verdict, ex = derive(r, r["_eps"])
        if verdict != r["verdict"] or (verdict == "RECOVERED" and ex != r["examples_to_recover"]):
            bad += 1
            print("mismatch %s N=%d D=%d seed %d: recorded %s %s, derived %s %s" % (
                r["layer"], r["n_layers"], r["d_model"], r["seed"], r["verdict"],
                r["examples_to_recover"], verdict, ex), file=sys.stderr)
    if bad:
        raise SystemExit("%d of %d runs do not re-derive at their own ε" % (bad, len(runs)))


def block(r):
    return int(BLOCK.match(r["layer"]).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--derive", type=float, nargs="*", default=[0.05])
    a = ap.parse_args()
    columns = []  # (eps, label, {key: [(verdict, examples, ref)]})
    for d in a.dirs:
        runs = load(d)
        if not runs:
            raise SystemExit("no runs of the question's arm in " + d)
        check(runs)
        epss = sorted({r["_eps"] for r in runs})
        if len(epss) != 1:
            raise SystemExit("%s mixes tolerances %s" % (d, epss))
        own = epss[0]
        for eps in [own] + [e for e in a.derive if e > own]:
            cells = defaultdict(list)
            for r in runs:
                v, ex = derive(r, eps)
                cells[(r["n_layers"], r["d_model"], block(r))].append(
                    (r["seed"], v, ex, r["ref_examples"], r["_batch"]))
            label = "run" if eps == own else "derived from ε=%g curves" % own
            columns.append((eps, label, cells))
    columns.sort(key=lambda c: (c[0], c[1] != "run"))
    print("| ε | source | runs | undamaged | not recovered | median ρ (recovered) |")
    print("|---|---|---|---|---|---|")
    for eps, label, cells in columns:
        all_runs = [x for v in cells.values() for x in v]
        und = sum(1 for x in all_runs if x[1] == "UNDAMAGED")
        nr = sum(1 for x in all_runs if x[1] == "NOT_RECOVERED")
        rhos = [x[2] / x[3] for x in all_runs if x[1] == "RECOVERED"]
        print("| %g | %s | %d | %d | %d | %s |" % (eps, label, len(all_runs), und, nr,
              "%.4f" % statistics.median(rhos) if rhos else "—"))
    print()
    keys = sorted(set().union(*[c[2].keys() for c in columns]))
    head = " | ".join("ε=%g%s" % (c[0], "" if c[1] == "run" else " (derived)") for c in columns)
    print("Median examples to recover over seeds (optimiser steps = examples / %d); "
          "u = undamaged runs, n = not recovered, at that ε:" % columns[0][2][keys[0]][0][4])
    print()
    print("| N | D | block | " + head + " |")
    print("|---|---|---|" + "---|" * len(columns))
    for k in keys:
        cells = []
        for c in columns:
            xs = c[2].get(k, [])
            ex = [x[2] for x in xs if x[1] == "RECOVERED"]
            u = sum(1 for x in xs if x[1] == "UNDAMAGED")
            n = sum(1 for x in xs if x[1] == "NOT_RECOVERED")
            cell = ("%d" % statistics.median(ex)) if ex else "—"
            extra = (" u%d" % u if u else "") + (" n%d" % n if n else "")
            cells.append(cell + extra)
        print("| %d | %d | %d | %s |" % (k[0], k[1], k[2], " | ".join(cells)))
    print()
    ref = columns[0]
    print("Block ordering per shape (blocks sorted by median examples, undamaged as 0) against "
          "ε=%g:" % ref[0])
    print()
    shapes = sorted({(k[0], k[1]) for k in keys})
    for c in columns[1:]:
        same = 0
        for s in shapes:
            if order(ref[2], s) == order(c[2], s):
                same += 1
        print("- ε=%g (%s): the same order in %d of %d shapes" % (c[0], c[1], same, len(shapes)))


def order(cells, shape):
    med = {}
    for (n, d, b), xs in cells.items():
        if (n, d) != shape:
            continue
        vals = [0 if x[1] == "UNDAMAGED" else (x[2] if x[1] == "RECOVERED" else math.inf)
                for x in xs]
        med[b] = statistics.median(vals)
    return [b for b, _ in sorted(med.items(), key=lambda kv: (kv[1], kv[0]))]


if __name__ == "__main__":
    main()
