"""The CDK app: one stack per stage (ejso-dev, ejso-prod).

Named cdk_app.py, not app.py: Chalice imports the application as the module `app`, and this
file must not shadow it. Select stages with `-c stages=dev` (default: every stage)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # Chalice packages chalicelib/ as it finds it: add no .pyc there
sys.path.insert(1, str(HERE.parent))  # after this folder: `infra.*` importable, nothing shadowed

import aws_cdk as cdk  # noqa: E402

from infra.stacks.service import EjsoStack  # noqa: E402
from infra.stages import STAGES  # noqa: E402


def main() -> None:
    app = cdk.App()
    wanted = str(app.node.try_get_context("stages") or ",".join(STAGES)).split(",")
    unknown = [name for name in wanted if name not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage(s) {unknown}; known: {sorted(STAGES)}")
    # The Chalice construct packages into ./chalice.out: keep that scratch inside the output dir.
    outdir = Path(app.outdir).resolve()
    scratch = outdir / "chalice.out"
    shutil.rmtree(scratch, ignore_errors=True)
    outdir.mkdir(parents=True, exist_ok=True)
    os.chdir(outdir)
    for name in wanted:
        stage = STAGES[name]
        EjsoStack(app, stage, env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=stage.region))
    app.synth()
    shutil.rmtree(scratch, ignore_errors=True)  # assets are staged in the output dir by now


if __name__ == "__main__":
    main()
