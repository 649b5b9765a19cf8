"""The reproductions' format, pinned: from a failure's recorded exchanges and Violation, a
shell script of curl calls and a pytest module that make fresh keys (keeping the run's
relations), read ids from the answers, send bursts together and wait where the run waited,
take secrets from the environment, never expand a body, and end with the same check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import checks
from conformance.repro.build import build
from conformance.repro.evidence import gather
from conformance.repro.plan import Group, Wait
from conformance.repro.pytest_module import module
from conformance.repro.runtime import Reply, as_raced, fresh_keys, needed
from conformance.repro.runtime_sh import main
from conformance.repro.shell import script, word
from conformance.repro.support import write_support
from conformance.transport.records import Exchange

BASE, PREFIX = "http://127.0.0.1:9", "/api/v0"
API = BASE + PREFIX
KEY = "pay_" + "a1B2c3D4e5F6" * 2
AUTH = [("x-client-key", "$DEVDRAFT_API_KEY"), ("x-client-secret", "$DEVDRAFT_SECRET")]
BODY = '{"amount": 1, "description": "$DEVDRAFT_SECRET `date` \'quoted\'"}'


def exchange(
    seq: int, method: str, path: str, lines: list[tuple[str, str]], **kw: object
) -> Exchange:
    made = Exchange(method, API + path, dict(lines), kw.pop("body", None), **kw)  # type: ignore[arg-type]
    made.seq, made.request_lines = seq, [("Accept", "application/json"), *AUTH, *lines]
    made.response_headers = {"Content-Type": "application/json"}
    return made


def refund(seq: int, refund_id: str, key: str, started: float) -> Exchange:
    body = json.dumps({"id": refund_id, "paymentId": "pay_1", "amount": 1, "status": "succeeded"})
    return exchange(
        seq,
        "POST",
        "/test-payment/pay_1/refund",
        [("Idempotency-Key", key), ("Content-Length", "0")],
        status=200,
        response_body=body,
        started=started,
        elapsed=0.01,
        group=7,
    )


def sample() -> tuple[list[Exchange], checks.Violation]:
    created = json.dumps({"id": "pay_1", "amount": 1, "currency": "USD"})
    made = [
        exchange(
            10,
            "POST",
            "/test-payment",
            [("Content-Type", "application/json"), ("Idempotency-Key", KEY)],
            body=BODY,
            status=201,
            response_body=created,
            started=100.0,
            elapsed=0.01,
        ),
        exchange(
            11,
            "POST",
            "/test-payment",
            [("Idempotency-Key", "ab\x01c\xc3\xa9d")],
            status=400,
            response_body='{"statusCode": 400, "message": "bad key"}',
            started=100.1,
            elapsed=0.01,
        ),
        refund(12, "ref_1", KEY.swapcase(), 102.2),
        refund(13, "ref_2", KEY[:-1] + "x", 102.2),
    ]
    try:
        checks.at_most_one_refund(made[2], made[3], requirement="CONC-REFUND-ONCE")
    except checks.Violation as violation:
        return made, violation
    raise AssertionError("the sample's refunds should break the check")


def plan():  # type: ignore[no-untyped-def]
    made, violation = sample()
    evidence = gather(made, made, violation)
    failure = ("Two refunds", "at most one refund id", "200 ref_1, 200 ref_2")
    return build(
        evidence,
        violation,
        test="t.py::test_x",
        requirement="STATEFUL-MODEL",
        failure=failure,
        base_url=BASE,
        prefix=PREFIX,
    )


def shell_text() -> str:
    return script(plan(), name="CONC-REFUND-ONCE-1.sh", pytest_name="x.py", run_id="run-1")


def test_the_plan_keeps_bursts_pauses_keys_and_ids() -> None:
    made = plan()
    assert [type(step).__name__ for step in made.steps] == ["Request", "Request", "Wait", "Group"]
    wait = made.steps[2]
    assert isinstance(wait, Wait) and wait.seconds == 2.1
    group = made.steps[3]
    assert isinstance(group, Group) and [r.position for r in group.requests] == [3, 4]
    assert made.keys == [KEY, KEY.swapcase(), KEY[:-1] + "x"]
    assert [(s.name, s.position, s.field) for s in made.ids] == [("P1", 1, "id")]
    assert made.judgement.check == "at_most_one_refund"
    assert made.judgement.answers == [3, 4] and made.judgement.requirement == "CONC-REFUND-ONCE"
    assert made.rounds > 1  # a race: bounded rounds


def test_a_rate_limits_reproduction_sends_its_rounds_without_the_runs_pauses() -> None:
    """The run paused 3 s between the key's 429 and the other request (a loaded machine): the
    rounds must still go out in a row, or the limit they need to reach would ease."""
    refused = '{"statusCode": 429, "message": "Too Many Requests"}'
    key, control = (
        exchange(20, "POST", "/test-payment/pay_1/refund", [("Idempotency-Key", KEY)],
                 status=429, response_body=refused, started=100.0, elapsed=0.01),
        exchange(21, "GET", "/test-payment/ctl_1", [], status=404,
                 response_body='{"statusCode": 404, "message": "no"}', started=103.0,
                 elapsed=0.01),
    )  # fmt: skip
    with pytest.raises(checks.Violation) as caught:
        checks.a_429_is_not_stored(key, control, requirement="RATE-NOT-STORED")
    made = build(
        gather([key, control], [key, control], caught.value),
        caught.value,
        test="t.py::test_y",
        requirement="RATE-NOT-STORED",
        failure=("429 stored", "processed", "429"),
        base_url=BASE,
        prefix=PREFIX,
    )
    assert [type(step).__name__ for step in made.steps] == ["Request", "Request"]
    assert made.rounds == 55  # 110 requests in all: enough to reach a limit


def test_the_script_sends_secrets_as_variables_and_bodies_from_a_quoted_heredoc() -> None:
    text = shell_text()
    assert text.startswith("#!/bin/sh\n")
    assert (
        'API="${CONFORMANCE_BASE_URL:-http://127.0.0.1:9}${CONFORMANCE_PATH_PREFIX-/api/v0}"'
        in text
    )
    assert "-H 'x-client-secret: '\"${DEVDRAFT_SECRET}\"" in text
    assert '"$PY" -S "$RT" body "$OUT/1.req" <<\'DEVDRAFT_BODY\' || exit 2\n' + BODY + "\n" in text
    assert '--data-binary @"$OUT/1.req"' in text
    assert "-H 'Idempotency-Key: '\"$K1\"" in text


def test_an_invalid_key_stays_literal_and_goes_out_byte_for_byte() -> None:
    assert (
        word([("text", "ab\x01c\xc3\xa9d")])
        == "ab\"$(printf '\\001')\"c\"$(printf '\\303\\251')\"d"
    )
    assert "-H 'Idempotency-Key: ab'\"$(printf '\\001')\"c" in shell_text()


def test_bursts_go_out_in_the_background_and_a_pause_is_a_real_sleep() -> None:
    lines = shell_text().splitlines()
    burst = [i for i, line in enumerate(lines) if line.startswith(("  send 3 ", "  send 4 "))]
    assert all(lines[i].endswith(" &") for i in burst)
    assert lines[burst[-1] + 1] == "  wait"
    assert any(line.startswith("  sleep 2.1  # the run paused here") for line in lines)


def test_ids_come_from_this_rounds_answers() -> None:
    text = shell_text()
    assert '  P1=$("$PY" -S "$RT" id "$R" 1 id) || exit 2' in text
    assert 'send 3 POST "$API"/test-payment/"${P1}"/refund' in text


def test_the_script_ends_each_round_with_the_same_check() -> None:
    text = shell_text()
    spec = text.split("<<'DEVDRAFT_CHECK' || exit 2\n", 1)[1].split("\nDEVDRAFT_CHECK", 1)[0]
    assert json.loads(spec)["check"] == "at_most_one_refund"
    loop = text.split("while [ $round -le 20 ]; do\n", 1)[1]
    assert loop.rstrip().endswith(
        "  if [ $round -eq $((judged * 2 + 1)) ] || [ $round -eq 20 ] || met_429; then\n"
        '    "$PY" "$RT" judge "$OUT" 20 $((judged + 1)) $round < "$OUT/check.json" || exit $?\n'
        "    judged=$round\n  fi\n  round=$((round + 1))\ndone"
    )


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_the_script_is_valid_sh(tmp_path: Path) -> None:
    path = tmp_path / "x.sh"
    path.write_text(shell_text(), encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0


def test_the_pytest_module_compiles_and_sends_the_same_plan() -> None:
    text = module(plan(), name="test_CONC_REFUND_ONCE_1.py", script_name="x.sh", run_id="r")
    compile(text, "test_CONC_REFUND_ONCE_1.py", "exec")
    assert "def test_CONC_REFUND_ONCE_1() -> None:" in text
    assert "run.together(" in text and "run.wait(2.1)" in text
    assert "('Idempotency-Key', 'ab\\x01cÃ©d')" in text
    assert "env('DEVDRAFT_SECRET')" in text and "run.key(2)" in text
    assert text.rstrip().endswith("run.check(CHECK)")


def test_fresh_keys_keep_the_relations_between_the_runs_keys() -> None:
    uuid = "6ce7b432-dd2f-422c-a658-bf1b477b75be"
    originals = [KEY, KEY, KEY.swapcase(), KEY[:-1] + "x", KEY[:20] + "zz", uuid]
    made = fresh_keys(originals)
    assert made[0] == made[1] and made[2] == made[0].swapcase()
    assert made[3][:-1] == made[0][:-1] != made[3] and made[4][:20] == made[0][:20]
    assert [len(k) for k in made] == [len(k) for k in originals]
    assert set(made[5]) <= set("0123456789abcdef-") and made[5][8] == "-"
    assert not set(made) & set(originals)


def test_the_check_command_judges_the_saved_answers(tmp_path: Path) -> None:
    saved = tmp_path / "1"
    saved.mkdir()
    (saved / "keys.json").write_text("[]", encoding="utf-8")
    for n, refund_id in ((1, "a"), (2, "b")):
        (saved / f"{n}.status").write_text("200\n", encoding="utf-8")
        (saved / f"{n}.head").write_bytes(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
        )
        (saved / f"{n}.body").write_text(json.dumps({"id": refund_id}), encoding="utf-8")
    spec = {"check": "at_most_one_refund", "requirement": "REFUND-ONCE", "params": {}}

    def judged(answers: list[int]) -> int:
        stdin = sys.stdin
        try:
            sys.stdin = __import__("io").StringIO(json.dumps({**spec, "answers": answers}))
            return main(["judge", str(tmp_path), "1", "1", "1"])
        finally:
            sys.stdin = stdin

    assert judged([1, 2]) == 1
    assert judged([1]) == 0
    assert judged([1, 3]) == 2


def test_a_check_of_a_races_winner_judges_this_rounds_winner() -> None:
    """Refunds 2 and 3 went out together; in the run 3 won (200) and 2 lost (409), and the check
    judged 4 against the winner. In a round where 2 wins, it judges 4 against 2."""
    spec = {"answers": [4, 3], "races": [[3, 200, [2, 3]]]}

    def replies(*statuses: int) -> dict[int, Reply]:
        return {n: Reply(s, [], b"{}", None) for n, s in enumerate(statuses, start=2)}

    assert as_raced(spec, replies(409, 200, 200)) == [4, 3]  # as in the run
    assert as_raced(spec, replies(200, 409, 200)) == [4, 2]  # the race went otherwise
    assert as_raced(spec, replies(409, 409, 200)) == [4, 3]  # no winner: judged as it stands
    assert as_raced({"answers": [4, 3]}, replies(200, 409, 200)) == [4, 3]
    assert needed(spec) == [4, 3, 2]


def test_the_checks_travel_with_the_reproductions(tmp_path: Path) -> None:
    """The copy imports and judges without the suite on the path."""
    support = write_support(tmp_path)
    code = (
        "import sys; sys.path.insert(0, '.')\nimport devdraft_checks as c\n"
        "a = c.Answer(201, 'application/json', '{\"id\": 1}')\n"
        "c.registry.apply('payment_created', [a], {}, 'PAY-CREATE')\n"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        cwd=support,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "Violation" in done.stderr and "PaymentResponseDto" in done.stderr
    schema = (
        "import sys; sys.path.insert(0, '.')\nimport devdraft_checks as c\n"
        "c.matches_the_spec(c.Answer(200, None, ''), operation='x')"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", schema],
        cwd=support,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "install" in done.stderr or "suite installed" in done.stderr


def test_a_run_wide_check_reproduces_the_answers_that_fail_it_after_their_history() -> None:
    created = json.dumps({"id": "pay_9", "amount": 1, "currency": "USD"})
    create = exchange(
        1, "POST", "/test-payment", [("Idempotency-Key", KEY)], status=201, response_body=created
    )
    shaped = '{"statusCode": 404, "message": "no such payment"}'
    unknown = exchange(2, "GET", "/test-payment/pay_0", [], status=404, response_body=shaped)
    limited = exchange(3, "GET", "/test-payment/pay_9", [], status=429, response_body="")
    bare = exchange(4, "POST", "/test-payment/pay_9/refund", [], status=409, response_body="")
    journal = [create, unknown, limited, bare]
    try:
        checks.every_client_error_has_the_error_shape(unknown, bare)
    except checks.Violation as violation:
        evidence = gather([unknown], journal, violation)
    assert [e.seq for e in evidence.exchanges] == [1, 4]  # the offender after its payment
    assert evidence.judged == [4] and evidence.kept == [0]  # the check names its culprit
    assert "fail it on their own" in evidence.notes[0]
