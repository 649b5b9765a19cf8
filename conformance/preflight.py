"""Before the first test: is there a Test Payments API at the URL, and does it take the
credentials? A few requests (five at most) tell a mistake of the configuration, which no
verdict on the target should be built on, from a target that answers wrongly:

- no answer at all: TargetUnreachable (the run ends INCOMPLETE, exit 3);
- a create answered 404 or 405, as a router answers a path it does not serve: PreflightRefused
  naming --base-url and --path-prefix (exit 2, no verdict);
- a create with the given credentials answered 401 or 403: PreflightRefused naming the
  variables the credentials come from (exit 2, no verdict); the second client's too;
- a create answered with a conflict (409 or 422, as CONFLICT-BODY answers a used key) that a
  create with a new key is not: its key is taken, by an earlier run with the same seed (whose
  keys this run's would replay): PreflightRefused asking for another seed (exit 2, no verdict);
- any other answer (201, 400, 500, a redirect, 429s waited out): the suite runs and judges it.

The creates are real payments on the target, each with the run id in its description. Their
keys come from the seed (and the part of a run in parts), like every key of the run; their
descriptions carry a value of this invocation's own, so that a target that has seen the key
before answers with a conflict rather than a replay.
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

import requests

from conformance.spec import CREATE_OP, operation
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged, Redirected, TargetUnreachable

__all__ = ["NOT_THE_API", "REFUSED", "PreflightRefused", "preflight"]

NOT_THE_API = (404, 405)
REFUSED = (401, 403)
CONFLICT = (409, 422)
"""How a target answers a key it holds for another body (CONFLICT-BODY, --conflict-status)."""
KEY_DIGITS = 24


class PreflightRefused(Exception):
    """The configuration, not the target, is wrong; the message names the cause and the fix."""


def preflight(api: ApiClient) -> None:
    """Raise TargetUnreachable or PreflightRefused, or return when the suite may run."""
    target = api.target
    try:
        api.get(f"conformance-preflight-{target.run_id}")
    except Redirected:
        pass  # an answer: the tests judge redirects
    except TargetUnreachable:
        raise
    except NotJudged:
        return  # the budget, or 429s that did not stop: the tests will say so
    invocation = secrets.token_hex(6)  # this run's own, never the same in two runs
    _check(api, target, invocation, ("client", "DEVDRAFT_API_KEY / DEVDRAFT_SECRET", "a"))
    if target.second_credentials is not None:
        second = api.as_client(target.second_credentials)
        who = ("second client", "DEVDRAFT_SECOND_API_KEY / DEVDRAFT_SECOND_SECRET", "b")
        _check(second, target, invocation, who)


def _check(api: ApiClient, target: Target, invocation: str, client: tuple[str, str, str]) -> None:
    """`client`: who it is, the variables its credentials come from, and its keys' tag."""
    who, variables, tag = client
    key = _key(target, tag)
    response = _create(api, target, key, invocation)
    if response is None:
        return
    status = response.status_code
    url = target.url(operation(CREATE_OP).relative_path())
    if status in NOT_THE_API:
        raise PreflightRefused(
            f"no Test Payments API at {url} ({status}); check --base-url and --path-prefix"
            + _doubled_prefix_hint(target)
        )
    if status in REFUSED:
        raise PreflightRefused(
            f"the target refused the {who} credentials ({status} for {target.key_header} / "
            f"{target.secret_header} on POST {urlsplit(url).path}); check {variables} (and "
            "--key-header / --secret-header if the target names its headers otherwise)"
        )
    if status in CONFLICT and _a_new_key_is_accepted(api, target, invocation):
        raise PreflightRefused(
            f"seed {target.seed} has already run against this target: it refused the "
            f"preflight's create with the key {key} ({status}) but accepted it with a new key, "
            "so an earlier run holds this run's keys and its answers would stand in for this "
            "run's; rerun with another --seed (or none), or against a fresh target"
        )


def _key(target: Target, tag: str) -> str:
    """The client's preflight key in this run (or part of a run), made from the run id: the
    keys of two clients, parts or seeds differ from their third character on, so that even a
    target that compares only the first characters of keys tells them apart."""
    made = f"{target.run_id}|{target.shard or ''}|{tag}".encode()
    return "pf" + hashlib.sha256(made).hexdigest()[:KEY_DIGITS]


def _a_new_key_is_accepted(api: ApiClient, target: Target, invocation: str) -> bool:
    """Whether a create with a key of this run's own succeeds (the refusal before was the
    key's)."""
    response = _create(api, target, "pf" + secrets.token_hex(KEY_DIGITS // 2), invocation)
    return response is not None and response.status_code // 100 == 2


def _create(api: ApiClient, target: Target, key: str, invocation: str) -> requests.Response | None:
    body = {
        "amount": 12.34,
        "currency": "USD",
        "description": f"conformance preflight [{target.run_id}] {invocation}",
    }
    try:
        return api.create(body, key)
    except (Redirected, NotJudged):
        return None  # an answer the tests judge, or none the preflight can read


def _doubled_prefix_hint(target: Target) -> str:
    path = urlsplit(target.base_url).path.rstrip("/")
    prefix = target.path_prefix
    if prefix and path.endswith(prefix):
        return (
            f" (the base URL already ends in {prefix}, and --path-prefix adds it again: drop "
            "it from --base-url, or pass --path-prefix '')"
        )
    return ""
