"""The self-test: run the suite against every fault of the reference server (each must be
caught, on its own requirement id) and every conformant variant (each must pass).

    python -m conformance.selftest                     # the matrix, once, 2 workers
    python -m conformance.selftest --soak 20           # every fault 20 times, seeds 1..20
    python -m conformance.selftest --table docs/fault-catalog.md

`matrix` runs and judges; `table` renders the generated catalog page.
"""

from __future__ import annotations

from .matrix import Case, Judgement, cases, judge, run_case, run_matrix
from .table import render_table

__all__ = ["Case", "Judgement", "cases", "judge", "render_table", "run_case", "run_matrix"]
