"""conformance.spec's loading, component schemas and operation lookup, from a checkout and from an
installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import spec

from .support import CREATE, REFUND


def test_the_spec_is_found_and_loaded_once() -> None:
    assert spec.spec_path() == spec.SPEC_PATH
    assert spec.SPEC_PATH.is_file()
    assert spec.load_spec() is spec.load_spec()


def test_schema_inlines_every_reference_and_drops_extensions() -> None:
    for name in spec.load_spec()["components"]["schemas"]:
        text = json.dumps(spec.schema(name))
        assert "$ref" not in text
        assert '"x-' not in text
    assert spec.schema("PaymentRequestDto")["properties"]["amount"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 1.7976931348623157e308,
        "description": "The amount to charge",
    }


def test_schema_and_operation_name_the_known_ones_when_asked_for_an_unknown_one() -> None:
    with pytest.raises(spec.SpecError, match="PaymentResponseDto"):
        spec.schema("Nope")
    with pytest.raises(spec.SpecError, match=CREATE):
        spec.operation("createPayment")


def test_operation_knows_method_path_and_success_status() -> None:
    op = spec.operation(REFUND)
    assert (op.method, op.path, op.success_status) == (
        "POST",
        "/api/v0/test-payment/{id}/refund",
        200,
    )
    assert spec.operation(CREATE).success_status == 201
    assert op.documents(404) and not spec.operation(CREATE).documents(404)


def test_an_installed_package_uses_its_force_included_copy(tmp_path: Path) -> None:
    """The wheel layout (pyproject force-include) wins over a repository copy."""
    package = tmp_path / "conformance"
    (package / "specs").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(Path(spec.__file__).parent, package / "spec")
    shutil.copytree(Path(spec.__file__).parents[1] / "checks", package / "checks")
    (package / "specs" / spec.SPEC_FILENAME).write_bytes(spec.SPEC_PATH.read_bytes())
    probe = "import conformance.spec as s; print(s.SPEC_PATH)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == package / "specs" / spec.SPEC_FILENAME


def test_a_missing_contract_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "conformance"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(Path(spec.__file__).parent, package / "spec")
    shutil.copytree(Path(spec.__file__).parents[1] / "checks", package / "checks")
    done = subprocess.run(
        [sys.executable, "-c", "import conformance.spec"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "SpecError: the OpenAPI contract test-payments.openapi.yaml was not found" in done.stderr
