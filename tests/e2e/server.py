"""The browser tests' server helpers live in :mod:`harness.server` (shared with bench/ and docs/).

Re-exported here for the test modules that import ``tests.e2e.server``; new code imports ``harness.server``.
"""

from harness.server import IDLE, free_port, port_busy, run_async, serve, serve_replicated, start_app, wait_healthy

__all__ = ["IDLE", "free_port", "port_busy", "run_async", "serve", "serve_replicated", "start_app", "wait_healthy"]
