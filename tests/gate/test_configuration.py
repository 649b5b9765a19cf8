"""Configuration mistakes end with exit 2 and one line, before any request; credentials given
by URL, argument or environment reach no output, and short ones change no verdict; TLS
problems read as plain words with a fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.reference.launch import RunningServer, running_reference_server

from .conftest import (
    FAST,
    KEY,
    SECRET,
    SECRETS,
    TWO_CLIENTS,
    one_line,
    run_suite,
)

URL_PASSWORD = "gate-url-password-Kd93Lx"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--base-url", "http://127.0.0.1:notaport"), "has a bad port"),
        (("--base-url", "http://127.0.0.1:99999"), "has a bad port"),
        (("--base-url", "http://exa mple.com"), "is not a host name or IP address"),
        (("--base-url", "http://[::1"), "is not a valid URL"),
        (
            ("--reference", "--base-url", "http://127.0.0.1:8000"),
            "--reference starts its own target and clients; drop --base-url",
        ),
        (("--reference", "--reference-arg=--bogus"), "the reference server refuses '--bogus'"),
        (("--reference", "--reference-arg=--fault=nope"), "unknown fault 'nope'"),
        (("--reference-arg=--variant=slow",), "--reference-arg needs --reference"),
    ],
    ids=["port-word", "port-range", "host-space", "host-bracket", "reference-and-url",
         "reference-arg", "reference-fault", "reference-arg-alone"],
)  # fmt: skip
def test_a_configuration_mistake_is_one_line_and_exit_2(
    args: tuple[str, ...], says: str, tmp_path: Path
) -> None:
    run = run_suite(tmp_path, *args, timeout=60)
    assert run.code == 2, run.explain()
    line = one_line(run.stderr)
    assert line.startswith("devdraft-conformance: configuration error: ")
    assert says in line, line
    assert "Traceback" not in run.stdout + run.stderr and "INTERNALERROR" not in run.stderr
    assert not any(tmp_path.iterdir())


def test_credentials_in_the_base_url_are_refused_and_never_shown(tmp_path: Path) -> None:
    url = f"http://gate-user:{URL_PASSWORD}@127.0.0.1:9/rest"
    run = run_suite(tmp_path, "--base-url", url, *FAST, timeout=60)
    assert run.code == 2, run.explain()
    line = one_line(run.stderr)
    assert "--base-url must not carry credentials" in line and "DEVDRAFT_API_KEY" in line
    assert run.leaked([URL_PASSWORD, "gate-user"]) == []
    assert not any(tmp_path.iterdir())


def test_no_secret_given_by_argument_or_environment_reaches_any_output(
    reference: RunningServer, tmp_path: Path
) -> None:
    """The first client by argument, the second from the environment."""
    env = {k: v for k, v in TWO_CLIENTS.items() if "SECOND" in k}
    run = run_suite(
        tmp_path,
        *("--base-url", reference.base_url, "--client-key", KEY, "--client-secret", SECRET),
        *FAST,
        "--only",
        "AUTH-INVALID,AUTH-KEY-SCOPE,PAY-GET-UNKNOWN,REPLAY-MARKER",
        env=env,
    )
    assert run.code == 0, run.explain()
    assert run.verdicts()["AUTH-KEY-SCOPE"] == "pass"
    assert run.leaked(SECRETS) == [], run.leaked(SECRETS)
    report = (tmp_path / "conformance.json").read_text(encoding="utf-8")
    assert "$DEVDRAFT_API_KEY" in report  # REPLAY-MARKER's exchanges, with the placeholder


def test_short_credentials_that_are_parts_of_ordinary_answers_do_not_change_the_verdicts(
    tmp_path: Path,
) -> None:
    """A key `pay` is the start of every payment id (`pay_1a2b`), a secret `a` is in `amount`:
    redacted inside those, every body would read as broken. Alone, as the header value, they
    are still replaced by their placeholders."""
    short = {"DEVDRAFT_API_KEY": "pay", "DEVDRAFT_SECRET": "a"}
    with running_reference_server("--client", "pay:a") as server:
        run = run_suite(
            tmp_path,
            *("--base-url", server.base_url, "--profile", "smoke"),
            *("--only", "PAY-CREATE,PAY-ECHO,PAY-GET,REFUND-CREATE,SCHEMA-RESPONSES,REPLAY-MARKER"),
            env=short,
        )
    assert run.code == 0, run.explain()
    marker = run.requirement("REPLAY-MARKER")["tests"][0]["exchanges"][0]
    assert marker["request_headers"]["x-client-key"] == "$DEVDRAFT_API_KEY"
    assert marker["request_headers"]["x-client-secret"] == "$DEVDRAFT_SECRET"
    assert json.loads(marker["response_body"])["id"].startswith("pay_")


def test_https_to_a_plain_http_server_asks_whether_the_target_is_http(
    reference: RunningServer, tmp_path: Path
) -> None:
    url = reference.base_url.replace("http://", "https://")
    run = run_suite(tmp_path, "--base-url", url, *FAST, "--only", "PAY-CREATE", timeout=60)
    assert run.code == 3, run.explain()
    assert run.last_line.startswith(
        "INCOMPLETE: the target could not be reached: TLS error: the server does not speak TLS"
    ), run.last_line
    assert "is the target http, not https?" in run.last_line
    assert "SSLError(" not in run.stdout + run.stderr
