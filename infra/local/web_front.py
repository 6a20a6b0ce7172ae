"""The local same-origin front: the built citizen app (web/dist) and `/v1/*` forwarded to the API.

In AWS, CloudFront puts the client's bucket and API Gateway behind one origin; locally this small
server does the same, so the pages call `/v1/...` without CORS. Standard library only. Developer
tooling, never deployed.

    python -m infra.local.web_front --port 8000 --api http://127.0.0.1:8001 [--dist web/dist]
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.client
import mimetypes
import posixpath
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
API_PREFIX = "/v1/"
CHUNK = 64 * 1024
# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".woff2": "font/woff2", ".woff": "font/woff",
         ".svg": "image/svg+xml", ".json": "application/json", ".ico": "image/x-icon", ".png": "image/png",
         ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json"}
# What CloudFront's response-headers policy sets in AWS: everything comes from this origin.
# Compressed on the way out, as CloudFront does; fonts (woff2) are compressed already.
COMPRESSIBLE = frozenset({".js", ".css", ".html", ".svg", ".json", ".txt", ".webmanifest"})
def security_headers(upload_origin: str | None = None, sign_in_origin: str | None = None) -> dict[str, str]:
    """The page's security headers. Beyond this origin the page talks to the documents bucket,
    where the browser sends uploads with presigned POSTs (`upload_origin`), and to the staff pool's
    Cognito endpoint, where the consoles sign staff in (`sign_in_origin`)."""
    connect = " ".join(["'self'", *(o for o in (upload_origin, sign_in_origin) if o)])
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; font-src 'self'; style-src 'self'; "
                                   f"script-src 'self'; connect-src {connect}; frame-ancestors 'none'; "
                                   "base-uri 'self'; form-action 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


class FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], api: str, dist: Path, upload_origin: str | None = None,
                 sign_in_origin: str | None = None):
        super().__init__(address, FrontHandler)
        self.security_headers = security_headers(upload_origin, sign_in_origin)
        parsed = urllib.parse.urlsplit(api)
        self.api_host, self.api_port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.dist = dist.resolve()


class FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FrontServer
    server_version = "ejso-local-front"

    def log_message(self, fmt: str, *args) -> None:  # one line per request, to the process's stderr (the log file)
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")

    # --- dispatch -------------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/"):
            self._forward()
        elif self.command in ("GET", "HEAD"):
            self._static(path)
        else:
            self._plain(405, "method not allowed\n", {"Allow": "GET, HEAD"})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    # --- /v1/* -> the API -----------------------------------------------------------------------------------
    def _request_body(self) -> tuple[bytes | None, dict[str, str]]:
        """The body as the API expects it. chalice local (like API Gateway) wants a length, so a chunked
        upload is read whole here and sent on with its Content-Length."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers end with an empty line
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(parts)
            return data, {"Content-Length": str(len(data))}
        length = int(self.headers.get("Content-Length") or 0)
        return (self.rfile.read(length) if length else None), {}

    def _forward(self) -> None:
        body, extra = self._request_body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers.update(extra)
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        headers["X-Forwarded-Proto"] = "http"
        upstream = http.client.HTTPConnection(self.server.api_host, self.server.api_port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            resp = upstream.getresponse()
        except OSError:
            upstream.close()
            self._plain(502, '{"title": "API unreachable", "status": 502}\n',
                        {"Content-Type": "application/problem+json"})
            return
        try:
            self.send_response_only(resp.status, resp.reason)
            length = resp.getheader("Content-Length")
            for name, value in resp.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() not in ("date", "server"):
                    self.send_header(name, value)
            self.send_header("Date", self.date_time_string())
            if length is None and self.command != "HEAD" and resp.status not in (204, 304):
                # Unknown length: stream until the API closes, then close ours too.
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                while chunk := resp.read(CHUNK):
                    self.wfile.write(chunk)
        finally:
            resp.close()
            upstream.close()

    # --- the built client ------------------------------------------------------------------------------------
    def _file_for(self, path: str) -> Path | None:
        clean = posixpath.normpath(urllib.parse.unquote(path)).lstrip("/")
        candidate = (self.server.dist / clean).resolve()
        if candidate != self.server.dist and self.server.dist not in candidate.parents:
            return None  # outside dist (../)
        return candidate if candidate.is_file() else None

    def _static(self, path: str) -> None:
        if not (self.server.dist / "index.html").is_file():
            self._plain(503, "The web client is not built: run `make web` (or `make run`, which builds it).\n")
            return
        found = self._file_for(path)
        if found is None:
            last = path.rsplit("/", 1)[-1]
            if "." in last:  # a missing asset is a 404, never the app
                self._plain(404, "not found\n")
                return
            found = self.server.dist / "index.html"  # a deep link (/book/...): the app routes it
        data = found.read_bytes()
        encoded = found.suffix in COMPRESSIBLE and "gzip" in (self.headers.get("Accept-Encoding") or "")
        if encoded:
            data = _gzipped(found, found.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
                         or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Vary", "Accept-Encoding")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        # Vite names assets by content hash; index.html must be revalidated to pick up a new build.
        hashed = found.parent.name == "assets"
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if hashed else "no-cache")
        for name, value in self.server.security_headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _plain(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        for name, value in ({"Content-Type": "text/plain; charset=utf-8"} | (headers or {})).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


@functools.lru_cache(maxsize=64)
def _gzipped(path: Path, mtime_ns: int) -> bytes:  # mtime in the key: a rebuild is picked up
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def serve(port: int, api: str, dist: Path = DIST, host: str = "127.0.0.1",
          upload_origin: str | None = None, sign_in_origin: str | None = None) -> FrontServer:
    return FrontServer((host, port), api, dist, upload_origin, sign_in_origin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", required=True, help="the API's base URL, e.g. http://127.0.0.1:8001")
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument("--uploads", help="the documents bucket's origin (local S3), e.g. http://127.0.0.1:8200")
    parser.add_argument("--sign-in", help="the staff pool's endpoint (cognito-local), e.g. http://127.0.0.1:9229")
    args = parser.parse_args(argv)
    server = serve(args.port, args.api, args.dist, upload_origin=args.uploads, sign_in_origin=args.sign_in)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
