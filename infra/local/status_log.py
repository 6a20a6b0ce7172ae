"""Which (method, route, status) the API answered, appended to a file as JSON lines when
EJSO_STATUS_LOG names one: the integration tests, the browser tests and the conformance run
record there what they reached, and the conformance run's reachability check reads them all.
Developer tooling: registered by the local server (infra/local/chalice_local.py) and the test
sessions, never by the deployed app."""
from __future__ import annotations

import json
import os

VARIABLE = "EJSO_STATUS_LOG"


def record_to(app, path: str) -> None:
    """Append every HTTP answer of `app` to `path` (Chalice's request path is the route's template).
    One write per answer on a descriptor opened once in append mode: a line shorter than PIPE_BUF
    lands whole without a lock, and the burst tests do not queue behind a file."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def record(event, get_response):
        response = get_response(event)
        os.write(fd, (json.dumps({"method": event.method, "path": event.path, "status": response.status_code})
                      + "\n").encode())
        return response

    app.register_middleware(record, "http")


def record_if_asked(app) -> None:
    path = os.environ.get(VARIABLE)
    if path:
        record_to(app, path)
