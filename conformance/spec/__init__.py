"""The OpenAPI contract, loaded once: component schemas, operations and key rules.

Everything the suite knows about shapes comes from ``specs/test-payments.openapi.yaml``, read by
`contract` only. Values that appear in the contract (the idempotency key rules, the documented
statuses) are read from it here, never written down a second time.
"""

from conformance.spec.contract import (
    SPEC_FILENAME,
    SPEC_PATH,
    SpecError,
    load_spec,
    resolve,
    schema,
    spec_path,
)
from conformance.spec.key_rules import KEY_MAX, KEY_MIN, KEY_PATTERN
from conformance.spec.operations import (
    CREATE_OP,
    GET_OP,
    OPERATION_IDS,
    REFUND_OP,
    SPEC_PREFIX,
    Operation,
    operation,
    operation_of,
    raw_operation,
)

__all__ = [
    "CREATE_OP",
    "GET_OP",
    "KEY_MAX",
    "KEY_MIN",
    "KEY_PATTERN",
    "OPERATION_IDS",
    "REFUND_OP",
    "SPEC_FILENAME",
    "SPEC_PATH",
    "SPEC_PREFIX",
    "Operation",
    "SpecError",
    "load_spec",
    "operation",
    "operation_of",
    "raw_operation",
    "resolve",
    "schema",
    "spec_path",
]
