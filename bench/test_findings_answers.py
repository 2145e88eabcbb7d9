"""Checks of bench/findings_answers.py's absolute-cost helpers (standard library only).

    python3 -m unittest bench/test_findings_answers.py
"""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import findings_answers as fa  # noqa: E402


class ScheduleTest(unittest.TestCase):
    def test_every_step_to_ten_then_at_most_ten_percent_then_every_k(self):
        k = 8
        for t in range(1, 11):
            self.assertTrue(fa.is_due(t, k), t)
            self.assertEqual(1, fa.gap_before(t, k), t)
        for t in range(k, 2000, k):
            self.assertTrue(fa.is_due(t, k), t)
        # the documented bound (EvaluationSchedule): the gap after an evaluation at step s is
        # at most max(1, 0.1 s); far out it is exactly k
        for t in range(1, 2000):
            if fa.is_due(t, k):
                gap = fa.gap_before(t, k)
                self.assertLessEqual(gap, max(1, 0.1 * (t - gap)), t)
        self.assertEqual(k, fa.gap_before(1600, k))
        self.assertFalse(fa.is_due(1601, k))


class CensoringTest(unittest.TestCase):
    def test_a_run_that_did_not_recover_moves_the_median_up(self):
        # recovered at 10 and 20, one not recovered: its cost is above both, so the median is
        # 20; dropping it would give 15
        self.assertEqual(20, fa.censored_median([10, math.inf, 20]))
        self.assertTrue(math.isinf(fa.censored_median([10, math.inf, math.inf])))

    def test_costs_near_the_schedule_name_the_warmup_and_the_gap(self):
        self.assertIn("inside the 8-step warm-up", fa.near_schedule(6, 8, 1))
        self.assertIn("within 3 steps of the 8-step warm-up", fa.near_schedule(11, 8, 1))
        self.assertEqual("", fa.near_schedule(12, 8, 1))
        self.assertIn("evaluation gap (16 steps)", fa.near_schedule(19, 2, 16))
        self.assertEqual("", fa.near_schedule(20, 2, 16))
        self.assertEqual("", fa.near_schedule(math.inf, 8, 1))


if __name__ == "__main__":
    unittest.main()
