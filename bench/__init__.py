"""Benchmarks of the reference server and the suite (``make bench``; ``python -m bench``).

A benchmark prints figures and targets; it never fails on them. Everything runs on loopback,
every loop is bounded by a count and a time, and the load generator and every server run in
their own processes so they do not share a GIL.

Modules: ``trivial`` (the same uvicorn stack answering one tiny JSON route), ``servers``
(start a server subprocess, read its RSS), ``loadgen`` (the load-generator process),
``measure`` (the three measurements), ``report`` (the table and reports/bench.json).
"""
