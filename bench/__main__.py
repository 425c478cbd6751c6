"""`make bench`: run every benchmark (or those named) and print their tables.

python -m bench                      # all
python -m bench core browser         # some: core, decoding, browser, next_token, classroom, churn, animation, live,
                                     # classmode
"""

from __future__ import annotations

import sys
import time

from bench import animation, browser, classmode, classroom, core_throughput, decoding, live, next_token
from bench.common import machine

BENCHMARKS = {
    "core": core_throughput.run,
    "decoding": decoding.run,
    "browser": browser.run,
    "next_token": next_token.run,
    "classroom": classroom.run_classroom,
    "churn": classroom.run_churn,
    "animation": animation.run,
    "live": live.run,
    "classmode": classmode.run,
}


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    print(f"# Benchmarks\n\nMachine: {machine()}\n", flush=True)
    for name in names or list(BENCHMARKS):
        t = time.perf_counter()
        print(BENCHMARKS[name](), flush=True)
        print(f"({name}: {time.perf_counter() - t:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
