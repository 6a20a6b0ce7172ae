"""EJSO network API: the app, its middleware, its routes under /v1 and its jobs. No logic lives here."""
from chalice import Chalice, ConvertToMiddleware

from chalicelib.api import (
    account_jobs,
    account_routes,
    appeal_routes,
    booking_routes,
    calendar_routes,
    catalogue_routes,
    citizen_routes,
    closure_routes,
    declaration_routes,
    desk_routes,
    health_routes,
    network_jobs,
    office_routes,
    operator_routes,
    outbox_jobs,
    partner_routes,
    ranking_jobs,
    ranking_routes,
    remote_jobs,
    request_routes,
    session_routes,
    staff_routes,
    suggestion_routes,
    tariff_routes,
    waitlist_jobs,
    waitlist_routes,
)
from chalicelib.api.http import chalice_errors_as_problems
from chalicelib.observability import logger, metrics_middleware

ROUTES = (health_routes, catalogue_routes, citizen_routes, booking_routes, office_routes, calendar_routes, request_routes,
          partner_routes, suggestion_routes, ranking_routes, operator_routes, closure_routes, session_routes,
          waitlist_routes, desk_routes, tariff_routes, account_routes, declaration_routes, appeal_routes, staff_routes)
JOBS = (outbox_jobs, network_jobs, remote_jobs, ranking_jobs, waitlist_jobs, account_jobs)

app = Chalice(app_name="ejso-network")
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(correlation_id_path="requestContext.requestId",
                                                                         clear_state=True)))
app.register_middleware(metrics_middleware)
app.register_middleware(chalice_errors_as_problems, "http")

for module in ROUTES:
    app.register_blueprint(module.api.blueprint, url_prefix="/v1")
for module in JOBS:
    app.register_blueprint(module.bp)
