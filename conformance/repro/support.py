"""The `_support` folder beside the reproductions: the runtime, the shell script's helper and a
copy of the checks.

The reproductions judge their answers with the suite's own checks, so the checks travel with
them: every module of `conformance.checks` is copied into the package `devdraft_checks`. They
use the standard library only, except `schema.py`, whose copy imports the installed suite's
spec when a schema check first runs (without the suite, that check says what is missing).
"""

from __future__ import annotations

from pathlib import Path

from conformance import checks
from conformance.repro import runtime, runtime_sh

__all__ = ["CHECKS_PACKAGE", "RUNTIME_MODULE", "SHELL_HELPER", "write_support"]

CHECKS_PACKAGE = "devdraft_checks"
RUNTIME_MODULE = "devdraft_repro.py"
SHELL_HELPER = "devdraft_sh.py"
SUITE_IMPORT = "from conformance import spec\n"
LAZY_SPEC = '''

class _Spec:
    """The installed suite's spec, imported when a schema check first needs it (the other
    checks run without the suite)."""

    def __getattr__(self, name: str) -> object:
        try:
            from conformance import spec as installed
        except ImportError:
            raise RuntimeError(
                "this check compares answers with the suite's spec: run the reproduction "
                "with a Python that has the suite installed (PYTHON=...)"
            ) from None
        return getattr(installed, name)


spec = _Spec()
'''


def write_support(folder: Path) -> Path:
    """Write `folder/_support` and return it."""
    support = folder / "_support"
    package = support / CHECKS_PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    for source in sorted(Path(checks.__file__).parent.glob("*.py")):
        text = source.read_text(encoding="utf-8")
        if source.name == "schema.py":
            if SUITE_IMPORT not in text:
                raise RuntimeError(f"{source} no longer imports the spec as {SUITE_IMPORT!r}")
            text = text.replace(SUITE_IMPORT, "", 1) + LAZY_SPEC
        (package / source.name).write_text(text, encoding="utf-8")
    for module, name in ((runtime, RUNTIME_MODULE), (runtime_sh, SHELL_HELPER)):
        text = Path(str(module.__file__)).read_text(encoding="utf-8")
        (support / name).write_text(text, encoding="utf-8")
    return support
