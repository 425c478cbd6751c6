"""Shared test settings."""

from hypothesis import HealthCheck, settings

# Generation time and per-example time vary with machine load (2 cores shared with
# a browser and a server in the e2e tests); properties are checked, not speed.
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("project")
