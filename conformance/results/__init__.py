"""Outcomes to verdicts, per requirement (`verdicts`) and for the whole run (`summary`), and the
state machine's sequence coverage (`coverage`, observed, never judged)."""

from conformance.results.coverage import SequenceCoverage, Tally
from conformance.results.summary import (
    EXIT_CONFORMANT,
    EXIT_INCOMPLETE,
    EXIT_NON_CONFORMANT,
    EXIT_USAGE,
    Count,
    RunResult,
    count,
    listed,
)
from conformance.results.verdicts import (
    FAILING,
    Change,
    Outcome,
    RequirementResult,
    TestOutcome,
    Verdict,
    compare_with_baseline,
    judge,
    results_for,
    why_not_judged,
)

__all__ = [
    "EXIT_CONFORMANT",
    "EXIT_INCOMPLETE",
    "EXIT_NON_CONFORMANT",
    "EXIT_USAGE",
    "FAILING",
    "Change",
    "Count",
    "Outcome",
    "RequirementResult",
    "RunResult",
    "SequenceCoverage",
    "Tally",
    "TestOutcome",
    "Verdict",
    "compare_with_baseline",
    "count",
    "judge",
    "listed",
    "results_for",
    "why_not_judged",
]
