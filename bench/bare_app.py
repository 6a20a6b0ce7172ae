"""The cold-start reference: a tiny Chalice app importing what any EJSO function needs at the
least (boto3 and PynamoDB), with one route. `import bench.bare_app` in a fresh process is what
`import app` is compared with."""
import boto3  # noqa: F401
from chalice import Chalice
from pynamodb.models import Model  # noqa: F401

app = Chalice(app_name="bare")


@app.route("/")
def index():
    return {"ok": True}
