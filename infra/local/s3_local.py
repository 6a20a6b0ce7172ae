"""The documents bucket locally: moto's S3 server (`moto[server]`, offline) on 127.0.0.1, the
bucket created at start with the CORS rule the stack gives the real one. Developer tooling, never
deployed: in AWS the CDK stack makes the bucket.

moto keeps objects in memory (they last as long as the server) and does not evaluate a presigned
POST's policy: the size and type an upload must have are checked again by the API before a request
may cite it, which is what the local tests prove; the policy itself is S3's to enforce."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from infra.local.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
REGION = "me-central-1"


def cors_rules(origins: list[str]) -> list[dict]:
    """The browser uploads with a presigned POST from the web app's origin(s); nothing else."""
    return [{"AllowedMethods": ["POST"], "AllowedOrigins": origins, "AllowedHeaders": ["*"], "MaxAgeSeconds": 3600}]


class MotoS3(LocalServer):
    name = "moto S3"

    def start(self, timeout: float = 60.0) -> MotoS3:
        self.launch([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)], ROOT, timeout)
        return self


def client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="local",
                        aws_secret_access_key="local",  # noqa: S106 - moto ignores credentials
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str

    def environ(self) -> dict[str, str]:
        """The app's settings for this bucket."""
        return {"S3_ENDPOINT": self.endpoint, "DOCUMENTS_BUCKET": self.name}


def provision(endpoint: str, name: str, origins: list[str]) -> Bucket:
    """The bucket with its CORS rule (idempotent)."""
    s3 = client(endpoint)
    if name not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors_rules(origins)})
    return Bucket(endpoint, name)
