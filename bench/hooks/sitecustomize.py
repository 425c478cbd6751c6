"""Benchmark-only start-up hook for the server under test (bench/classroom.py, churn).

With ``EXPLORER_TRACEMALLOC=<file>`` in the environment (and this folder on
PYTHONPATH) the process traces its Python allocations, and on SIGUSR1 writes
``<current bytes> <peak bytes> <sequence>`` to ``<file>``. The app never loads it.
"""

import os
import signal
import tracemalloc

_OUT = os.environ.get("EXPLORER_TRACEMALLOC")
if _OUT:
    tracemalloc.start()
    _count = [0]

    def _dump(_signum: int, _frame: object) -> None:
        _count[0] += 1
        current, peak = tracemalloc.get_traced_memory()
        tmp = f"{_OUT}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{current} {peak} {_count[0]}")
        os.replace(tmp, _OUT)

    signal.signal(signal.SIGUSR1, _dump)
