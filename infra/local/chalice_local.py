"""`chalice local`, with a listen backlog fit for a burst of clients.

socketserver's default backlog is 5, so a burst of simultaneous citizens would be refused at
the TCP level before reaching the app (API Gateway has no such limit). Usage is the same as
`chalice local`:  python -m infra.local.chalice_local --stage local --port 8000"""
from __future__ import annotations

import sys

from chalice import local
from chalice.cli import main

local.ThreadedHTTPServer.request_queue_size = 1024
local.ThreadedHTTPServer.daemon_threads = True

if __name__ == "__main__":
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    sys.exit(main())
