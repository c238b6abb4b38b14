"""Shared test configuration: hypothesis profiles. CI runs the 'ci' profile: no deadlines and
derandomized examples, so that a CI verdict is reproducible; local runs ('dev') draw fresh
random examples each time and keep finding new cases."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
