"""STATEFUL-MODEL: random sequences of actions, every answer judged against a model.

The model (`model.py`) holds, per client, the payments made, the keys used and the answer
stored under each, and the refunds. The rules are actions a client takes: create, replay,
retry with a changed body, GET, refund, refund replay, a second refund, a key reused on
another operation, invalid and missing keys, wrong credentials, simultaneous requests, a short
pause (`payments.py`, `refunds.py`, `access.py`); `driver.py` sends them and hands every
answer to the registered checks of `conformance.checks`, naming the requirement the step
breaks; `machine.py` adds the invariants and `runner.py` runs it under Hypothesis. The run
reproduces the shortest failing sequence like any other failure (`conformance.repro`).
`coverage.py` records which orders of actions the run applied to one payment (pairs and
triples, shown in the reports, never judged), and `steering.py` makes the machine prefer the
rules that complete an order not yet tried.
"""

from __future__ import annotations

from conformance.suite.stateful.runner import run_the_model

__all__ = ["run_the_model"]
