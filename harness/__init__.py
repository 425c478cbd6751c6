"""What the tooling around the app shares: starting it as a real server, and a browser to drive it.

``tests/e2e``, ``bench/`` and ``docs/`` import these modules (so a benchmark or a
screenshot does not depend on the tests); the app itself never does.
"""
