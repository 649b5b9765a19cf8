"""The reference server: a correct Test Payments API (Starlette + uvicorn + SQLite).

Layers: ``cli`` parses options and binds the socket; ``app`` routes HTTP to a ``Behaviour``
(``behaviour``: every step one method) over a ``Store`` (``store``: SQLite); ``variants`` and
``faults`` are catalogs of Behaviour subclasses; ``launch`` runs the server in a subprocess.
"""

from .behaviour import Behaviour
from .launch import ReferenceServerError, RunningServer, running_reference_server
from .settings import DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET

__all__ = [
    "DEFAULT_CLIENT_KEY",
    "DEFAULT_CLIENT_SECRET",
    "Behaviour",
    "ReferenceServerError",
    "RunningServer",
    "running_reference_server",
]
