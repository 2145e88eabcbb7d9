"""Checks of bench/arms.py's per-block summary (standard library only).

    python3 -m unittest bench/test_arms.py
"""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arms  # noqa: E402


def row(verdict, examples=0, rho=math.nan, seed=1, bref=1000):
    return {"verdict": verdict, "examples_to_recover": str(examples), "rho_v": rho,
            "seed": seed, "ref_examples": str(bref), "lstar": 1.4}


class SummaryTest(unittest.TestCase):
    def test_a_run_that_did_not_recover_counts_above_every_recovered_one(self):
        s = arms.summary([row("RECOVERED", 100, 0.1), row("RECOVERED", 300, 0.3),
                          row("BUDGET_EXHAUSTED")])
        self.assertEqual(300, s["median"])
        self.assertTrue(math.isinf(s["hi"]))
        self.assertEqual((2, 3), (s["recovered"], s["damaged"]))
        self.assertEqual("300 [100–not reached]", arms.examples(s))

    def test_half_not_recovered_is_not_reached_and_has_no_ratio(self):
        s = arms.summary([row("RECOVERED", 100), row("BUDGET_EXHAUSTED")])
        self.assertEqual("not reached [100–not reached]", arms.examples(s))
        self.assertEqual("—", arms.ratio(s, arms.summary([row("RECOVERED", 50)])))

    def test_undamaged_runs_are_counted_apart(self):
        s = arms.summary([row("UNDAMAGED"), row("RECOVERED", 64, 0.06)])
        self.assertEqual((1, 1), (s["undamaged"], s["damaged"]))
        self.assertEqual(64, s["median"])
        self.assertEqual("— (1 undamaged)", arms.examples(arms.summary([row("UNDAMAGED")])))

    def test_order_is_most_costly_first_with_not_reached_first_of_all(self):
        stats = {0: arms.summary([row("RECOVERED", 500)]),
                 1: arms.summary([row("RECOVERED", 900)]),
                 2: arms.summary([row("BUDGET_EXHAUSTED")]),
                 3: arms.summary([row("UNDAMAGED")])}
        self.assertEqual([2, 1, 0], [L for L, _ in arms.order(stats)])

    def test_blocks_inside_the_warm_up_may_swap_others_may_not(self):
        a = [(0, 6000), (1, 4000), (3, 224), (2, 160)]
        self.assertEqual("same", arms.same_order(a, a))
        swapped_late = [(0, 5000), (1, 3000), (2, 96), (3, 96)]
        self.assertTrue(arms.same_order(a, swapped_late).startswith("same apart"))
        swapped_early = [(1, 5000), (0, 3000), (2, 96), (3, 96)]
        self.assertEqual("differs", arms.same_order(a, swapped_early))
        late_one_above = [(0, 5000), (1, 3000), (2, 1472), (3, 96)]
        self.assertEqual("differs", arms.same_order(a, late_one_above))

    def test_ratio_of_medians(self):
        a = arms.summary([row("RECOVERED", 300)])
        b = arms.summary([row("RECOVERED", 200)])
        self.assertEqual("1.50", arms.ratio(a, b))


if __name__ == "__main__":
    unittest.main()
