"""Accuracy against ground truth: truth files and the matching of detected to true events.

``truth`` reads and writes truth files (``docs/evaluate.md``); ``matching`` scores a table
of detected events against a truth table, per event type. Neither prints; ``matching``
does no I/O.
"""

from __future__ import annotations

from vesselwatch.evaluate.matching import Evaluation, TypeScore, assign, evaluate
from vesselwatch.evaluate.truth import TRUTH, Truth, load_truth, truth_table, write_truth

__all__ = [
    "TRUTH",
    "Evaluation",
    "Truth",
    "TypeScore",
    "assign",
    "evaluate",
    "load_truth",
    "truth_table",
    "write_truth",
]
