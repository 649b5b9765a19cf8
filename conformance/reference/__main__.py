"""Entry point: ``python -m conformance.reference`` (also ``devdraft-reference-server``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
