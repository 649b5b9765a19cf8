"""Command-line options of the reference server, and the launcher's error reporting."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from reference_support import Api, assert_error

from conformance.reference import (
    DEFAULT_CLIENT_KEY,
    DEFAULT_CLIENT_SECRET,
    ReferenceServerError,
    running_reference_server,
)
from conformance.reference.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.reference", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )


def test_variant_list_prints_one_line_per_variant() -> None:
    result = run_cli("--variant", "list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == list(VARIANTS)


def test_an_unknown_variant_is_a_usage_error() -> None:
    result = run_cli("--variant", "nope")
    assert result.returncode == 2
    assert "unknown variant 'nope'" in result.stderr


def test_the_launcher_reports_a_server_that_cannot_start() -> None:
    with (
        pytest.raises(ReferenceServerError, match=r"(?s)exited with code 2.*unknown variant"),
        running_reference_server("--variant", "nope"),
    ):
        pass


def test_the_default_client_is_accepted_and_nothing_secret_is_printed() -> None:
    with running_reference_server() as server:
        api = Api(server.base_url, (DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET))
        assert api.create(api.new_key()).status_code == 201
    assert DEFAULT_CLIENT_SECRET not in server.stderr


def test_client_options_replace_the_default() -> None:
    with running_reference_server("--client", "a-key:a-secret", "--client", "b:c:d") as server:
        api = Api(server.base_url, ("a-key", "a-secret"))
        assert api.create(api.new_key()).status_code == 201
        assert api.as_client("b", "c:d").create(api.new_key()).status_code == 201
        assert_error(api.as_client(DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET).get("x"), 401)


def test_an_expired_key_is_free_again() -> None:
    with running_reference_server("--key-ttl", "0.5") as server:
        api = Api(server.base_url)
        key = api.new_key()
        first = api.create(key).json()
        deadline = time.monotonic() + 20
        while (again := api.create(key).json())["id"] == first["id"]:
            assert time.monotonic() < deadline, "the key never expired"
            time.sleep(0.1)  # polling the condition "the key expired"
        assert again["id"] != first["id"]


def test_rate_limit_answers_429_with_retry_after_and_stores_nothing() -> None:
    with running_reference_server("--rate-limit", "2") as server:
        api = Api(server.base_url)
        keys = [api.new_key() for _ in range(6)]
        responses = [api.create(key) for key in keys]
        limited = [(k, r) for k, r in zip(keys, responses, strict=True) if r.status_code == 429]
        assert limited, [r.status_code for r in responses]
        key, response = limited[0]
        assert_error(response, 429)
        assert int(response.headers["Retry-After"]) >= 1
        deadline = time.monotonic() + 20
        while (retried := api.create(key)).status_code == 429:
            assert time.monotonic() < deadline, "still limited"
            time.sleep(int(retried.headers["Retry-After"]))  # the wait the server asked for
        assert retried.status_code == 201
