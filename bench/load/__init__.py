"""The load test: the 08:00 rush under Locust (python -m bench.load)."""
