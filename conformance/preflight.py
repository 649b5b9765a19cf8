"""Before the first test: is there a Test Payments API at the URL, and does it take the
credentials? A few requests (three at most) tell a mistake of the configuration, which no
verdict on the target should be built on, from a target that answers wrongly:

- no answer at all: TargetUnreachable (the run ends INCOMPLETE, exit 3);
- a create answered 404 or 405, as a router answers a path it does not serve: PreflightRefused
  naming --base-url and --path-prefix (exit 2, no verdict);
- a create with the given credentials answered 401 or 403: PreflightRefused naming the
  variables the credentials come from (exit 2, no verdict); the second client's too;
- any other answer (201, 400, 500, a redirect, 429s waited out): the suite runs and judges it.

The creates are real payments on the target, each with the run id in its description.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from conformance.spec import CREATE_OP, operation
from conformance.target import Target
from conformance.transport.client import ApiClient
from conformance.transport.errors import NotJudged, Redirected, TargetUnreachable

__all__ = ["NOT_THE_API", "REFUSED", "PreflightRefused", "preflight"]

NOT_THE_API = (404, 405)
REFUSED = (401, 403)


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
    _check(api, target, "client", "DEVDRAFT_API_KEY / DEVDRAFT_SECRET", "a")
    if target.second_credentials is not None:
        second = api.as_client(target.second_credentials)
        _check(
            second,
            target,
            "second client",
            "DEVDRAFT_SECOND_API_KEY / DEVDRAFT_SECOND_SECRET",
            "b",
        )


def _check(api: ApiClient, target: Target, who: str, variables: str, tag: str) -> None:
    response = _create(api, target, tag)
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


def _create(api: ApiClient, target: Target, tag: str) -> requests.Response | None:
    body = {
        "amount": 12.34,
        "currency": "USD",
        "description": f"conformance preflight [{target.run_id}]",
    }
    try:
        return api.create(body, f"preflight-{tag}-{target.run_id}")
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
