"""Shared test setup. Each suite's conftest sets the environment before chalicelib is imported
(PynamoDB reads settings at class definition).

Property tests take their example budget from a hypothesis profile, loaded here before any test
module builds its `settings`: "quick" by default, sized for the edit-test loop and CI, and
"thorough" (HYPOTHESIS_PROFILE=thorough, or `make unit-thorough`) for a deliberate, larger search."""
import os

from hypothesis import settings

settings.register_profile("quick", max_examples=25)
settings.register_profile("thorough", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
