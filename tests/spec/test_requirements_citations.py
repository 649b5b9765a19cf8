"""Every REQUIREMENTS.md row that the contract tests cite exists in ../shared/REQUIREMENTS.md."""

from __future__ import annotations

import re

import pytest

from .differences import ADDED_STATUSES, DIFFERENCES, NOTED_CONTRADICTIONS
from .support import SHARED

REQUIREMENTS = SHARED / "REQUIREMENTS.md"


def test_every_citation_names_a_row_of_requirements_md() -> None:
    if not REQUIREMENTS.is_file():
        pytest.skip(f"REQUIREMENTS.md is not at {REQUIREMENTS} (a sibling 'shared' checkout)")
    text = REQUIREMENTS.read_text(encoding="utf-8")
    topics = set(re.findall(r"^\| ([^|]+?) \|", text, re.MULTILINE))
    ids = set(re.findall(r"^- \*\*([A-Z0-9-]+)\*\*", text, re.MULTILINE))
    sources = [d.source for d in DIFFERENCES.values() if "REQUIREMENTS.md" in d.source]
    sources += list(ADDED_STATUSES.values())
    sources += [f"'{topic}'" for topic in NOTED_CONTRADICTIONS]
    for source in sources:
        for topic in re.findall(r"'([^']+)'", source):
            assert topic in topics, f"{source!r}: no resolved contradiction {topic!r}"
        for requirement in re.findall(r"\b[A-Z]+(?:-[A-Z0-9]+)+\b", source):
            assert requirement in ids, f"{source!r}: no requirement {requirement}"
