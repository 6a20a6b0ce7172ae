"""EJSO network API: the app, its middleware and its blueprints. No logic lives here."""
from chalice import Chalice, ConvertToMiddleware

from chalicelib.api import (
    admin_routes,
    booking_routes,
    catalogue_routes,
    events,
    office_routes,
    operator_routes,
    partner_routes,
    ranking_events,
    ranking_routes,
    remote_jobs,
    request_routes,
    routing_routes,
)
from chalicelib.api.http import chalice_errors_as_problems
from chalicelib.observability import logger, metrics_middleware

app = Chalice(app_name="ejso-network")
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(correlation_id_path="requestContext.requestId",
                                                                         clear_state=True)))
app.register_middleware(metrics_middleware)
app.register_middleware(chalice_errors_as_problems, "http")

for blueprint in (catalogue_routes.bp, booking_routes.bp, office_routes.bp, admin_routes.bp, request_routes.bp,
                  partner_routes.bp, routing_routes.bp, events.bp, remote_jobs.bp):
    app.register_blueprint(blueprint)
for blueprint in (ranking_routes.bp, operator_routes.bp, ranking_events.bp):  # issue 4: the office ranking and operators
    app.register_blueprint(blueprint)
