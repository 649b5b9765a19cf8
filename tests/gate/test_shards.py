"""One run in parts: `--shard K/N` runs a fixed part of the requirements, `merge` joins the
parts into the verdict one whole run gives, and `--workers N` does both in one command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest

from conformance.reference.launch import RunningServer, running_reference_server
from conformance.requirements import CATALOG
from conformance.shard import COSTS, STATE_MACHINE, WHOLE, Lane, Shard, lane_of, parse_shard, split
from conformance.target import FAR_WORKERS, RATE_SLOTS_ENV, ConformanceConfigError, build_target
from conformance.workers import part_command, shares
from tests import suite_runner as runner
from tests.gate.conftest import FAST, KEY, SECOND_KEY, SECOND_SECRET, SECRET, SECRETS
from tests.gate.conftest import run_suite as run
from tests.suite_runner import Run

FAULT = "404-as-text-plain"
"""Breaks SCHEMA-RESPONSES, judged over every exchange: a GET of an unknown id provokes it,
made by PAY-GET-UNKNOWN's tests, whichever part runs them."""
SELECTION = (
    "PAY-CREATE,PAY-GET,PAY-GET-UNKNOWN,REFUND-UNKNOWN,REPLAY-IDENTICAL,ERR-SHAPE,SCHEMA-RESPONSES"
)
SEED = ("--seed", "7")
"""The whole run and its parts: one seed, so that the parts make the whole run."""
SCHEMA = json.loads(
    resources.files("conformance.report").joinpath("conformance.schema.json").read_text()
)


def options_for(url: str) -> dict[str, str | None]:
    """The option values (by Option.dest) of a run against `url` with the gate's client."""
    return {
        "conformance_base_url": url,
        "conformance_client_key": KEY,
        "conformance_client_secret": SECRET,
    }


def faulty_server() -> AbstractContextManager[RunningServer]:
    clients = ("--client", f"{KEY}:{SECRET}", "--client", f"{SECOND_KEY}:{SECOND_SECRET}")
    return running_reference_server(*clients, "--fault", FAULT)


def merge(report_dir: Path, *parts: Path) -> Run:
    given = ("merge", *map(str, parts), "--report-dir", str(report_dir))
    return runner.run_command(report_dir, *given, env={}, timeout=60)


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with faulty_server() as server:
        yield run(
            tmp_path_factory.mktemp("whole"),
            *("--base-url", server.base_url, *FAST, *SEED, "--only", SELECTION),
        )


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Run]]:
    folder = tmp_path_factory.mktemp("parts")
    with faulty_server() as server:
        yield [
            run(
                folder / str(k),
                *("--base-url", server.base_url, *FAST, *SEED, "--only", SELECTION),
                *("--shard", f"{k}/2"),
            )
            for k in (1, 2)
        ]


def test_a_split_gives_every_requirement_to_exactly_one_part_and_balances_the_cost() -> None:
    ids = [r.id for r in CATALOG]
    for total in (1, 2, 3, 4, 7):
        found = split(ids, total)
        assert sorted(i for part in found for i in part) == sorted(ids)
        loads = [sum(COSTS.get(i, 0.5) for i in part) for part in found]
        assert max(loads) - min(loads) <= max(COSTS.values()), loads
        assert split(reversed(ids), total) == found  # the order given does not matter


def test_the_state_machine_runs_one_lane_in_each_of_the_first_parts() -> None:
    ids = [r.id for r in CATALOG]
    others = sorted(set(ids) - {STATE_MACHINE})
    for total, most in ((1, 10), (2, 10), (4, 10), (8, 10), (12, 10), (4, 2)):
        found = split(ids, total, {STATE_MACHINE: most})
        lanes = min(total, most)
        assert [k for k, part in enumerate(found) if STATE_MACHINE in part] == list(range(lanes))
        assert sorted(i for part in found for i in part if i != STATE_MACHINE) == others
        made = [lane_of(Shard(k + 1, total), most) for k in range(total)]
        assert made == [Lane(k, lanes) for k in range(lanes)] + [None] * (total - lanes)
        assert sorted(n for lane in made if lane for n in lane.makes(most)) == list(range(most))
        loads = [
            sum(COSTS.get(i, 0.5) for i in part if i != STATE_MACHINE)
            + (COSTS[STATE_MACHINE] * len(lane.makes(most)) / most if lane else 0.0)
            for part, lane in zip(found, made, strict=True)
        ]  # a lane costs its share of the pieces (rounds) of the work
        assert max(loads) - min(loads) <= max(COSTS.values()), loads
    assert lane_of(None, 10) == WHOLE == Lane(0, 1)


def test_a_part_makes_the_state_machine_only_when_it_makes_a_lane_of_it() -> None:
    given = options_for("http://127.0.0.1:9")
    whole = build_target({**given, "conformance_profile": "fast"}, environ={})
    assert whole.lane(STATE_MACHINE) == WHOLE and whole.runs(STATE_MACHINE)
    fast = build_target(
        {**given, "conformance_profile": "fast", "conformance_shard": "3/4"}, environ={}
    )
    assert fast.lane(STATE_MACHINE) == Lane(2, 4) and fast.runs(STATE_MACHINE)
    smoke = build_target(
        {**given, "conformance_profile": "smoke", "conformance_shard": "3/4"}, environ={}
    )
    assert smoke.lane(STATE_MACHINE) is None and not smoke.runs(STATE_MACHINE)  # two rounds


@pytest.mark.parametrize(
    ("url", "given", "environ", "workers"),
    [
        ("http://127.0.0.1:8000", None, {}, 1),
        ("http://127.3.2.1", None, {}, 1),
        ("http://localhost:8000", None, {}, 1),
        ("http://api.localhost", None, {}, 1),
        ("http://[::1]:8000", None, {}, 1),
        ("https://staging.example.com", None, {}, FAR_WORKERS),
        ("http://10.1.2.3:8080", None, {}, FAR_WORKERS),
        ("http://[2001:db8::1]", None, {}, FAR_WORKERS),
        ("https://staging.example.com", "1", {}, 1),
        ("https://staging.example.com", None, {"CONFORMANCE_WORKERS": "2"}, 2),
        ("http://127.0.0.1:8000", "auto", {"CONFORMANCE_WORKERS": "2"}, 1),
        ("http://127.0.0.1:8000", "6", {}, 6),
    ],
)
def test_auto_workers_are_one_on_a_loopback_address_and_more_elsewhere(
    url: str, given: str | None, environ: dict[str, str], workers: int
) -> None:
    options = {**options_for(url), "conformance_workers": given}
    assert build_target(options, environ=environ).workers == workers


def test_a_part_of_a_run_is_not_split_again_by_auto_workers() -> None:
    given = {**options_for("https://staging.example.com"), "conformance_shard": "2/3"}
    assert build_target(given, environ={}).workers == 1


@pytest.mark.parametrize("text", ["0", "-2", "some", "1.5"])
def test_workers_that_are_not_a_count_or_auto_are_refused(text: str) -> None:
    with pytest.raises(ConformanceConfigError, match="CONFORMANCE_WORKERS"):
        build_target(
            options_for("https://staging.example.com"), environ={"CONFORMANCE_WORKERS": text}
        )


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2"])
def test_a_shard_that_is_not_k_of_n_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)
    assert parse_shard(" 2 / 3 ") == Shard(2, 3)


def test_a_part_gets_the_credentials_through_its_environment_only() -> None:
    given = {
        **options_for("http://127.0.0.1:9"),
        "conformance_profile": "fast",
        "conformance_only": "PAY-CREATE",
        "conformance_max_requests": "101",
    }
    target = build_target(given, environ={})
    commands = [part_command(given, target, k, 3) for k in (1, 2, 3)]
    assert not [c for c in commands for part in c if KEY in part or SECRET in part]
    assert all("--only" in c and "PAY-CREATE" in c and "--shard" in c for c in commands)
    assert shares(101, 3) == [34, 34, 33] and shares(None, 2) == [None, None]


def test_parts_that_share_the_rate_slots_get_the_runs_rate_and_read_where_they_are() -> None:
    given = {**options_for("http://127.0.0.1:9"), "conformance_rate": "30"}
    target = build_target(given, environ={})

    def rate(command: list[str]) -> str:
        return command[command.index("--rate") + 1]

    assert rate(part_command(given, target, 1, 3, shared_slots=True)) == "30"
    assert rate(part_command(given, target, 1, 3)) == "10"  # each part paces itself
    environ = {RATE_SLOTS_ENV: "/tmp/the-slots"}
    part = build_target({**given, "conformance_shard": parse_shard("2/3")}, environ=environ)
    assert part.rate_slots == Path("/tmp/the-slots")
    assert build_target(given, environ=environ).rate_slots is None  # not a part: its own


def test_merged_parts_fail_what_the_whole_run_fails_with_its_exit_code(
    whole: Run, parts: list[Run], tmp_path: Path
) -> None:
    merged = merge(tmp_path, *(p.report_dir / "conformance.json" for p in parts))
    assert whole.code == 1, whole.explain()
    failed = {i for i, v in whole.verdicts().items() if v == "fail"}
    assert "SCHEMA-RESPONSES" in failed
    assert (merged.code, merged.last_line) == (whole.code, whole.last_line), merged.explain()
    assert merged.verdicts() == whole.verdicts()
    report = merged.report
    jsonschema.validate(report, SCHEMA)
    assert report["requests"] == sum(p.report["requests"] for p in parts)
    assert report["shard"] is None
    assert report["label"] == parts[0].report["label"] == urlsplit(report["target"]).netloc
    owners = [
        {r["id"] for r in p.report["requirements"] if r["verdict"] != "not run"} for p in parts
    ]
    assert owners[0] | owners[1] == set(SELECTION.split(","))


def test_merge_refuses_missing_duplicated_and_foreign_parts(
    whole: Run, parts: list[Run], tmp_path: Path
) -> None:
    first, second = (p.report_dir / "conformance.json" for p in parts)
    cases = {
        "missing": ((first,), "part 2/2 is missing"),
        "twice": ((first, first, second), "part 1/2 is given twice"),
        "whole": ((first, whole.report_dir / "conformance.json"), "a whole run"),
    }
    for name, (given, said) in cases.items():
        refused = merge(tmp_path / name, *given)
        assert refused.code == 2, refused.explain()
        assert said in refused.stderr, refused.stderr
        assert not (tmp_path / name / "conformance.json").exists()
    other_seed = json.loads(second.read_text(encoding="utf-8"))
    other_seed["seed"] = 8
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(other_seed), encoding="utf-8")
    refused = merge(tmp_path / "foreign", first, foreign)
    assert refused.code == 2 and "is of another run: seed 8" in refused.stderr, refused.stderr
    other_label = json.loads(second.read_text(encoding="utf-8"))
    other_label["label"] = "production"
    foreign.write_text(json.dumps(other_label), encoding="utf-8")
    refused = merge(tmp_path / "other-label", first, foreign)
    assert refused.code == 2 and "label 'production'" in refused.stderr, refused.stderr


def test_workers_make_one_report_of_the_whole_catalog_against_the_reference_server(
    reference: RunningServer, tmp_path: Path
) -> None:
    done = run(
        tmp_path,
        *("--base-url", reference.base_url, "--profile", "smoke", "--seed", "7"),
        *("--workers", "2", "--max-requests", "5000", "--label", "reference-workers"),
    )
    assert done.code == 0, done.explain()
    assert done.last_line.startswith("CONFORMANT: "), done.last_line
    report = done.report
    jsonschema.validate(report, SCHEMA)
    assert [r["id"] for r in report["requirements"]] == [r.id for r in CATALOG]
    parts = [json.loads((tmp_path / "parts" / k / "conformance.json").read_text()) for k in "12"]
    assert report["requests"] == sum(p["requests"] for p in parts) <= 5000
    assert [p["shard"]["max_requests"] for p in parts] == [2500, 2500]
    assert [report["label"], *(p["label"] for p in parts)] == ["reference-workers"] * 3
    assert "[part 1/2]" in done.stdout and "[part 2/2]" in done.stdout
    assert not done.leaked(SECRETS)
