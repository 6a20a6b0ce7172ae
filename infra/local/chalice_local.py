"""`chalice local`, with a listen backlog fit for a burst of clients, and every route's use cases
imported before it listens.

socketserver's default backlog is 5, so a burst of simultaneous citizens would be refused at
the TCP level before reaching the app (API Gateway has no such limit). The app imports each
route's use cases when first called (a Lambda cold start pays only for what its requests use); a
long-lived local server imports them all once, after the stage's environment is set and before it
accepts a connection, so its first requests answer as fast as later ones. Usage is the same as
`chalice local`:  python -m infra.local.chalice_local --stage local --port 8000"""
from __future__ import annotations

import sys

from chalice import local
from chalice.cli import main

local.ThreadedHTTPServer.request_queue_size = 1024
local.ThreadedHTTPServer.daemon_threads = True
_server_init = local.LocalDevServer.__init__


def _warm_then_listen(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003 - chalice's own signature
    from chalicelib.api.http import import_all
    from infra.local import status_log
    import_all()
    status_log.record_if_asked(args[0] if args else kwargs["app_object"])  # EJSO_STATUS_LOG: the statuses answered
    _server_init(self, *args, **kwargs)


local.LocalDevServer.__init__ = _warm_then_listen

if __name__ == "__main__":
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    sys.exit(main())
