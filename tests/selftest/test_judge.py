"""The self-test's judgement of one run says what it flagged and, for a requirement not judged,
the report's reason: a failing variant in CI must show why without rerunning it."""

from __future__ import annotations

from conformance.selftest.matrix import Case, judge

VARIANT = Case("variant", "every-7th-429-bare", warns=("RATE-LIMIT",))


def _report(**requirements: tuple[str, str]) -> dict[str, object]:
    return {
        "requirements": [
            {"id": i, "verdict": verdict, "reason": reason}
            for i, (verdict, reason) in requirements.items()
        ]
    }


def test_a_variant_not_judged_names_the_requirement_and_its_reason() -> None:
    report = _report(
        **{
            "PAY-CREATE": ("pass", ""),
            "RATE-LIMIT": ("warn", ""),
            "CONC-CREATE": ("not judged", "the wait allowance of 300 s was spent"),
        }
    )
    result = judge(VARIANT, 1, 3, 1.0, report)
    assert result.problems == [
        "exit 3; CONC-CREATE not judged (the wait allowance of 300 s was spent)"
    ]


def test_a_variant_with_only_its_allowed_warning_has_no_problem() -> None:
    report = _report(**{"PAY-CREATE": ("pass", ""), "RATE-LIMIT": ("warn", "")})
    assert judge(VARIANT, 1, 0, 1.0, report).problems == []
