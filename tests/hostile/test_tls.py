"""https:// targets: a private CA works with --ca-bundle; without it the run ends with exit 3
and one line naming the certificate problem. The certificate is made by the test (openssl)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import servers
from .servers import HostileServer, hostile_server
from .support import FAST, leaked, run_suite

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command"),
]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), valid for a day."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=conformance-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[HostileServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    # Enough of the API for the preflight's create: 201 to a POST, 404 to a GET.
    with hostile_server(servers.payments, tls=context) as server:
        yield server


def test_an_https_target_with_a_private_ca_works_with_ca_bundle(
    tls_server: HostileServer, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    assert tls_server.base_url.startswith("https://127.0.0.1:")
    run = run_suite(
        tmp_path,
        tls_server.base_url,
        *FAST,
        "--only",
        "PAY-GET-UNKNOWN",
        "--ca-bundle",
        str(certificate[0]),
    )
    assert (run.code, run.verdicts()["PAY-GET-UNKNOWN"]) == (0, "pass"), run.explain()
    assert tls_server.requests > 0
    assert leaked(run) == []


def test_an_untrusted_certificate_ends_with_exit_3_and_one_clear_line(
    tls_server: HostileServer, tmp_path: Path
) -> None:
    run = run_suite(tmp_path, tls_server.base_url, *FAST, "--only", "PAY-GET-UNKNOWN")
    assert run.code == 3, run.explain()
    assert run.last_line.startswith("INCOMPLETE: the target could not be reached: TLS error: ")
    assert "certificate verify failed (self-signed certificate)" in run.last_line
    assert "pass --ca-bundle PATH" in run.last_line  # the fix, in plain words
    assert "SSLError(" not in run.last_line
    assert len(run.last_line) < 300
    assert tls_server.requests == 0  # nothing, credentials included, went over the bad channel
    assert "Traceback" not in run.stdout + run.stderr
    assert leaked(run) == []
