"""Compares two results.csv files of the same plan run by run: verdicts changed, T_eps moved (in
steps of 32 examples), and columns that must not move (L*, L0, deleted loss, B_ref, target).
Usage: python3 bench/compare_rows.py BEFORE/results.csv AFTER/results.csv (issue 36)."""
import csv, sys, statistics
def load(p):
    rows = {}
    for r in csv.DictReader(open(p)):
        k = (r['arch'], r['n_layers'], r['d_model'], r['layer'], r['scheme'], r['freeze'], r['seed'], r['recovery_lr_multiple'])
        rows[k] = r
    return rows
a, b = load(sys.argv[1]), load(sys.argv[2])
same_cols = ['loss_original','loss_after_wipe','loss_deleted','ref_examples','examples_orig','target_loss','loss_original_sd']
verdict_changed = []; moved = []; same = 0; colsdiff = {}
for k in a:
    ra, rb = a[k], b.get(k)
    if rb is None: print('missing', k); continue
    for c in same_cols:
        if ra[c] != rb[c]: colsdiff.setdefault(c, []).append((k, ra[c], rb[c]))
    if ra['verdict'] != rb['verdict']:
        verdict_changed.append((k, ra['verdict'], rb['verdict'])); continue
    if ra['examples_to_recover'] and rb['examples_to_recover']:
        ea, eb = int(ra['examples_to_recover']), int(rb['examples_to_recover'])
        if ea != eb: moved.append((k, ea, eb))
        else: same += 1
print('runs', len(a), 'verdicts changed', len(verdict_changed), 'T_eps same', same, 'T_eps moved', len(moved))
for v in verdict_changed: print('  verdict', v)
if moved:
    d = [(eb-ea)//32 for _, ea, eb in moved]
    print('  steps moved (after - before): median', statistics.median(d), 'min', min(d), 'max', max(d), 'mean', round(statistics.mean(d),2))
    print('  earlier', sum(1 for x in d if x<0), 'later', sum(1 for x in d if x>0))
for c, l in colsdiff.items(): print('column', c, 'differs in', len(l), 'runs, e.g.', l[:2])
