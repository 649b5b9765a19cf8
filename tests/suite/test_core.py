"""Unit tests of the suite's core: configuration, redaction, verdicts, reproduction, reports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.report.data import report_data
from conformance.report.junit import write_junit
from conformance.repro.build import segments
from conformance.repro.shell import word
from conformance.requirements import BY_ID, CATALOG
from conformance.results import (
    EXIT_CONFORMANT,
    EXIT_INCOMPLETE,
    EXIT_NON_CONFORMANT,
    Outcome,
    RunResult,
    TestOutcome,
    Verdict,
    judge,
    results_for,
)
from conformance.spec import KEY_MAX
from conformance.strategies import seed_values
from conformance.suite.test_keys import _twin_keys
from conformance.target import ConformanceConfigError, build_target
from conformance.transport.redaction import Redactor
from conformance.transport.session import retry_after_seconds

CREDENTIALS = {"conformance_client_key": "k-123456", "conformance_client_secret": "s-abcdef"}


def target(**given: object) -> object:
    return build_target(
        {**CREDENTIALS, "conformance_base_url": "http://127.0.0.1:1", **given}, environ={}
    )


def test_a_missing_base_url_names_the_option_and_the_variable() -> None:
    with pytest.raises(ConformanceConfigError, match=r"--base-url.*CONFORMANCE_BASE_URL"):
        build_target(CREDENTIALS, environ={})


def test_missing_credentials_name_the_variables() -> None:
    with pytest.raises(ConformanceConfigError, match="DEVDRAFT_API_KEY"):
        build_target({"conformance_base_url": "http://127.0.0.1:1"}, environ={})


def test_options_fall_back_to_environment_variables() -> None:
    built = build_target(
        {},
        environ={
            "CONFORMANCE_BASE_URL": "https://h.example/stage/",
            "DEVDRAFT_API_KEY": "k",
            "DEVDRAFT_SECRET": "s",
            "CONFORMANCE_CONCURRENCY": "3",
        },
    )
    assert built.api_root == "https://h.example/stage/api/v0"
    assert built.concurrency == 3


def test_a_run_is_labelled_by_its_host_unless_given_a_label() -> None:
    assert target().label == "127.0.0.1:1"
    assert target(conformance_base_url="https://staging.example.com/rest").label == (
        "staging.example.com"
    )
    assert target(conformance_label=" production ").label == "production"
    environ = {"CONFORMANCE_BASE_URL": "http://127.0.0.1:1", "CONFORMANCE_LABEL": "sdk-mock"}
    assert build_target(CREDENTIALS, environ=environ).label == "sdk-mock"
    with pytest.raises(ConformanceConfigError, match="--label"):
        target(conformance_label="two\nlines")


@pytest.mark.parametrize(
    ("prefix", "root"),
    [("/rest-api/v0/", "http://127.0.0.1:1/rest-api/v0"), ("", "http://127.0.0.1:1")],
)
def test_the_path_prefix_replaces_the_spec_prefix(prefix: str, root: str) -> None:
    assert target(conformance_path_prefix=prefix).api_root == root


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"conformance_profile": "huge"}, "--profile"),
        ({"conformance_conflict_status": 418}, "--conflict-status"),
        ({"conformance_only": "REPLAY-IDENTICAL,NOPE-1"}, "NOPE-1"),
        ({"conformance_second_client_key": "b"}, "second client"),
        ({"conformance_base_url": "ftp://h"}, "not an http"),
        ({"conformance_concurrency": "0"}, "--concurrency"),
    ],
)
def test_configuration_mistakes_are_refused_with_the_culprit(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(ConformanceConfigError, match=message):
        target(**given)


def test_only_is_case_insensitive() -> None:
    assert target(conformance_only="replay-identical").only == {"REPLAY-IDENTICAL"}


def test_credentials_do_not_show_in_the_target_repr() -> None:
    shown = repr(target())
    assert "k-123456" not in shown and "s-abcdef" not in shown


def test_redaction_replaces_every_secret_longest_first() -> None:
    redactor = Redactor({"abc": "$A", "abcdef": "$B"})
    assert redactor.text("x abcdef y abc") == "x $B y $A"
    assert redactor.headers({"x-client-secret": "abcdef"}) == {"x-client-secret": "$B"}


def test_a_short_secret_is_replaced_where_it_stands_alone_and_not_inside_a_name() -> None:
    redactor = Redactor({"pay": "$K", "a": "$S", "long-secret-Qw3Er5": "$L"})
    body = '{"id": "pay_1a2b", "amount": 1, "seen": "pay a", "x": "xlong-secret-Qw3Er5_y"}'
    assert redactor.text(body) == '{"id": "pay_1a2b", "amount": 1, "seen": "$K $S", "x": "x$L_y"}'
    assert redactor.content(body.encode()) == redactor.text(body).encode()
    assert redactor.headers({"x-client-key": "pay", "x-client-secret": "a"}) == {
        "x-client-key": "$K",
        "x-client-secret": "$S",
    }


def test_shell_words_expand_the_secret_placeholders_and_nothing_else() -> None:
    value = segments("$DEVDRAFT_SECRET for $HOME, `id`, it's")
    assert value[0] == ("env", "DEVDRAFT_SECRET")
    assert word(value) == '"${DEVDRAFT_SECRET}"' + "' for $HOME, `id`, it'\"'\"'s'"


@pytest.mark.parametrize(("value", "seconds"), [("3", 3.0), (None, None), ("soon", None)])
def test_retry_after_is_read_as_seconds(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value) == seconds


def test_retry_after_as_a_past_http_date_is_no_wait() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def outcome(requirement_id: str, result: Outcome, part: str = "must") -> TestOutcome:
    return TestOutcome(
        test="t",
        requirement_id=requirement_id,
        part=part,
        outcome=result,
        duration=0.1,
        title="why",
    )


@pytest.mark.parametrize(
    ("requirement_id", "outcomes", "verdict"),
    [
        ("REPLAY-IDENTICAL", [Outcome.PASSED], Verdict.PASS),
        ("REPLAY-IDENTICAL", [Outcome.PASSED, Outcome.FAILED], Verdict.FAIL),
        ("KEY-DUPLICATE-HEADER", [Outcome.FAILED], Verdict.WARN),
        ("REPLAY-IDENTICAL", [Outcome.NOT_JUDGED], Verdict.NOT_JUDGED),
        ("AUTH-KEY-SCOPE", [Outcome.SKIPPED], Verdict.NOT_RUN),
        ("REPLAY-MARKER", [Outcome.FAILED], Verdict.OBSERVED),
        ("AUTH-KEY-SCOPE", [], Verdict.NOT_RUN),
    ],
)
def test_verdicts_follow_the_level(
    requirement_id: str, outcomes: list[Outcome], verdict: Verdict
) -> None:
    part = "info" if BY_ID[requirement_id].level.value == "INFO" else "must"
    result = judge(BY_ID[requirement_id], [outcome(requirement_id, o, part) for o in outcomes])
    assert result.verdict is verdict


def test_a_failing_should_clause_of_a_must_requirement_is_a_warning() -> None:
    result = judge(
        BY_ID["KEY-ALPHABET"],
        [
            outcome("KEY-ALPHABET", Outcome.PASSED),
            outcome("KEY-ALPHABET", Outcome.FAILED, "should"),
        ],
    )
    assert result.verdict is Verdict.WARN


def test_a_must_part_not_judged_is_not_hidden_by_a_should_warning() -> None:
    result = judge(
        BY_ID["PAY-GET-UNKNOWN"],
        [
            outcome("PAY-GET-UNKNOWN", Outcome.NOT_JUDGED),
            outcome("PAY-GET-UNKNOWN", Outcome.FAILED, "should"),
        ],
    )
    assert result.verdict is Verdict.NOT_JUDGED


def run_of(outcomes: list[TestOutcome], strict: bool = False) -> RunResult:
    return RunResult(
        run_id="run-x",
        target="http://127.0.0.1:1/api/v0",
        seed=1,
        profile="fast",
        strict=strict,
        started="2026-01-01T00:00:00+00:00",
        duration=1.0,
        requests=3,
        versions={},
        requirements=results_for(outcomes),
    )


@pytest.mark.parametrize(
    ("outcomes", "strict", "code"),
    [
        ([outcome("REPLAY-IDENTICAL", Outcome.PASSED)], False, EXIT_CONFORMANT),
        ([outcome("REPLAY-IDENTICAL", Outcome.FAILED)], False, EXIT_NON_CONFORMANT),
        (
            [outcome("KEY-DUPLICATE-HEADER", Outcome.FAILED), outcome("PAY-GET", Outcome.PASSED)],
            False,
            EXIT_CONFORMANT,
        ),
        (
            [outcome("KEY-DUPLICATE-HEADER", Outcome.FAILED), outcome("PAY-GET", Outcome.PASSED)],
            True,
            EXIT_NON_CONFORMANT,
        ),
        (
            [outcome("PAY-GET", Outcome.PASSED), outcome("PAY-ECHO", Outcome.NOT_JUDGED)],
            False,
            EXIT_INCOMPLETE,
        ),
        ([outcome("REPLAY-MARKER", Outcome.PASSED, "info")], False, EXIT_INCOMPLETE),
    ],
)
def test_exit_codes_follow_the_verdicts(
    outcomes: list[TestOutcome], strict: bool, code: int
) -> None:
    assert run_of(outcomes, strict).exit_code == code


def test_junit_has_one_test_case_per_requirement_with_failures_explained(tmp_path: Path) -> None:
    failed = outcome("REPLAY-IDENTICAL", Outcome.FAILED)
    failed.message = "Replay differs\nExpected: 201\nReceived: 200"
    path = write_junit(report_data(run_of([failed])), tmp_path / "junit.xml")
    cases = ET.parse(path).getroot().findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [r.id for r in CATALOG]
    failure = next(c for c in cases if c.get("name") == "REPLAY-IDENTICAL").find("failure")
    assert failure is not None and "Expected: 201" in (failure.text or "")


def test_twin_keys_of_the_must_tests_differ_in_more_than_letter_case() -> None:
    """KEY-DISTINCT's MUST tests must not fail a target that folds case (its SHOULD)."""
    seed_values(7)
    for shared in (8, 16, 32, KEY_MAX - 1):
        for _ in range(500):
            first, second = _twin_keys(KEY_MAX, shared)
            assert first[:shared] == second[:shared]
            assert first[shared].lower() != second[shared].lower(), (first, second)
