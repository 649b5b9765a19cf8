"""The reproductions' format, pinned: a shell script of curl calls (simultaneous calls sent
together, invalid keys through printf, secrets as variables) and a standalone pytest module,
both ending with the check the state machine failed; and the runtime helpers they share."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conformance import repro
from conformance.repro_runtime import Resp, error_body, main, make_keys, ok_ids, same

HEADERS = repro.Headers("x-client-key", "x-client-secret")
API_ROOT = "http://127.0.0.1:9/api/v0"
CHECK = repro.Check(
    "len(ok_ids(r[3], r[4])) <= 1", "CONC-REFUND-ONCE", "Step 3 violates CONC-REFUND-ONCE"
)


def sample() -> repro.Sequence:
    sequence = repro.Sequence(keys=[("K1", "fresh:24"), ("K2", "uuid"), ("K3", "tweak:K1")])
    sequence.items = [
        repro.Call(
            1,
            1,
            "create_payment",
            "POST",
            "/test-payment",
            key="K1",
            body='{"amount": 1}',
            content_type="application/json",
        ),
        repro.Call(
            2, 2, "send_an_invalid_key", "POST", "/test-payment", key_literal="ab\x01c\xc3\xa9d"
        ),
        repro.Pause(3, 2.0),
        repro.Call(
            3, 4, "burst", "POST", "/test-payment/{P}/refund", payment="r[1]", key="K2", group=3
        ),
        repro.Call(
            4, 4, "burst", "POST", "/test-payment/{P}/refund", payment="r[1]", key="K3", group=3
        ),
        repro.Call(5, 5, "get", "GET", "/test-payment/{P}", payment="r[1]", auth="wrong-secret"),
    ]
    return sequence


def script() -> str:
    return repro.shell_script(
        sample(), CHECK, api_root=API_ROOT, prefix="/api/v0", headers=HEADERS, path="x.sh"
    )


def test_the_script_sends_each_call_with_secrets_as_variables() -> None:
    text = script()
    assert text.startswith("#!/bin/sh\n")
    assert (
        'API="${CONFORMANCE_BASE_URL:-http://127.0.0.1:9}${CONFORMANCE_PATH_PREFIX:-/api/v0}"'
        in text
    )
    assert (
        'call 1 POST "/test-payment" -H "x-client-key: $DEVDRAFT_API_KEY" '
        '-H "x-client-secret: $DEVDRAFT_SECRET" -H "Idempotency-Key: $K1" '
        "-H 'Content-Type: application/json' --data-binary '{\"amount\": 1}'"
    ) in text
    assert 'eval "$(python3 "$OUT/check.py" keys K1=fresh:24 K2=uuid K3=tweak:K1)"' in text


def test_an_invalid_key_goes_out_byte_for_byte_through_printf() -> None:
    assert "\"Idempotency-Key: $(printf 'ab\\001c\\303\\251d')\"" in script()


def test_simultaneous_calls_go_out_together_and_a_pause_is_a_real_sleep() -> None:
    lines = script().splitlines()
    burst = [
        i
        for i, line in enumerate(lines)
        if line.startswith("call 3 ") or line.startswith("call 4 ")
    ]
    assert all(lines[i].endswith(" &") for i in burst)
    assert lines[burst[-1] + 1] == "wait"
    assert "sleep 2  # step 3: a short pause" in lines


def test_payment_ids_come_from_the_responses_of_this_run() -> None:
    text = script()
    assert 'P1=$(python3 "$OUT/check.py" id "$OUT" \'r[1]\') || exit 2' in text
    assert 'call 3 POST "/test-payment/$P1/refund"' in text
    assert (
        'call 5 GET "/test-payment/$P1" -H "x-client-key: $DEVDRAFT_API_KEY" '
        '-H "x-client-secret: not-the-secret-0"' in text
    )


def test_the_script_ends_with_the_failed_check() -> None:
    last = script().rstrip("\n").splitlines()[-1]
    assert last.startswith('python3 "$OUT/check.py" check "$OUT" \'len(ok_ids(r[3], r[4])) <= 1\'')


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_the_script_is_valid_sh(tmp_path: Path) -> None:
    path = tmp_path / "x.sh"
    path.write_text(script(), encoding="utf-8")
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0


def test_the_pytest_module_compiles_and_asserts_the_check() -> None:
    text = repro.pytest_module(
        sample(), CHECK, api_root=API_ROOT, prefix="/api/v0", headers=HEADERS, name="stateful_x"
    )
    compile(text, "test_stateful_x.py", "exec")
    assert "def test_stateful_x() -> None:" in text
    assert "r[3], r[4] = together(" in text
    assert "time.sleep(2.0)" in text
    assert f"assert len(ok_ids(r[3], r[4])) <= 1, {CHECK.title!r}" in text
    assert "('Idempotency-Key', 'ab\\x01cÃ©d')" in text


def test_the_runtime_helpers_judge_as_the_requirements_say() -> None:
    first = Resp(201, "application/json; charset=utf-8", '{"id": "p1", "amount": 1}')
    assert same(Resp(201, "application/json", '{"amount": 1, "id": "p1"}'), first)
    assert not same(Resp(200, "application/json", '{"id": "p1", "amount": 1}'), first)
    assert error_body(Resp(409, "application/json", '{"statusCode": 409, "message": ["x"]}'))
    assert not error_body(Resp(409, "application/json", ""))
    refunds = [Resp(200, "application/json", '{"id": "a"}'), Resp(409, "", "{}")]
    assert len(ok_ids(*refunds)) == 1


def test_a_tweaked_key_differs_from_its_base_in_the_last_character_only() -> None:
    keys = make_keys([("K1", "fresh:20"), ("K2", "tweak:K1"), ("K3", "tweak:K2")])
    assert keys["K2"][:-1] == keys["K1"][:-1] != "" and len(set(keys.values())) == 3


def test_the_check_command_exits_1_when_the_failure_shows_again(tmp_path: Path) -> None:
    for n, (status, body) in enumerate([(200, '{"id": "a"}'), (200, '{"id": "b"}')], start=1):
        (tmp_path / f"{n}.meta").write_text(f"{status}\napplication/json\n", encoding="utf-8")
        (tmp_path / f"{n}.body").write_text(body, encoding="utf-8")
    assert main(["check", str(tmp_path), "len(ok_ids(r[1], r[2])) <= 1", "two refunds"]) == 1
    assert main(["check", str(tmp_path), "len(ok_ids(r[1])) <= 1", "one refund"]) == 0
    assert main(["id", str(tmp_path), "r[2]"]) == 0
