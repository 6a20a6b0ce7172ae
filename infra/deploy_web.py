"""Upload the built citizen app (web/dist) to a deployed stage's web bucket and refresh CloudFront:
`make deploy-web STAGE=dev` after `make deploy` (needs AWS credentials). Hashed assets are cached
for a year (a new build has new names); index.html and the rest are revalidated on every visit."""
from __future__ import annotations

import mimetypes
import sys
import time
from pathlib import Path

import boto3

from infra.stages import STAGES

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".woff2": "font/woff2", ".svg": "image/svg+xml",
         ".json": "application/json", ".webmanifest": "application/manifest+json"}


def main(stage_name: str) -> int:
    stage = STAGES[stage_name]
    if not (DIST / "index.html").is_file():
        print("web/dist is not built: run `make web`", file=sys.stderr)
        return 1
    (stack,) = boto3.client("cloudformation", region_name=stage.region).describe_stacks(
        StackName=stage.stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    s3 = boto3.client("s3", region_name=stage.region)
    files = sorted(p for p in DIST.rglob("*") if p.is_file())
    # index.html last: it names the new assets, which must be there before it is.
    for path in sorted(files, key=lambda p: p.name == "index.html"):
        key = path.relative_to(DIST).as_posix()
        hashed = path.parent.name == "assets"
        s3.upload_file(str(path), outputs["WebBucketName"], key, ExtraArgs={
            "ContentType": TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            "CacheControl": "public, max-age=31536000, immutable" if hashed else "no-cache"})
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"], InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/index.html"]}, "CallerReference": str(time.time())})
    print(f"{len(files)} files -> {outputs['WebUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dev"))
