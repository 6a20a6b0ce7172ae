"""The single Logger / Metrics of the service, and the masking of personal data. No Powertools
Tracer: nothing is traced by hand, Lambda's own X-Ray tracing (the stack's `xray`) traces each
invocation, and the Tracer would import the X-Ray SDK at every cold start."""
from __future__ import annotations

import logging
import os
import re

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "ejso-network"

# National IDs (10 digits) and Iranian mobiles, in Latin, Persian or Arabic-Indic digits,
# with or without the country code. Anything of that shape is masked, wherever it hides.
_D = "[0-9\u06f0-\u06f9\u0660-\u0669]"
_PERSONAL = re.compile(rf"(?<!{_D})(?:\+?98|0098|0)?9{_D}{{9}}(?!{_D})|(?<!{_D}){_D}{{10}}(?!{_D})")
MASK = "***"


def mask_personal(text: str) -> str:
    """Replace anything shaped like a national ID or mobile number with a mask."""
    return _PERSONAL.sub(MASK, text)


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools JSON lines, with personal data masked as the last step before output."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal(super().format(record))


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(service=SERVICE, namespace="EJSO")


def metrics_middleware(event, get_response):
    """Flush the metrics of each invocation (all event types). Unlike `log_metrics`, it clears
    the buffer when metrics are disabled locally (Powertools would keep it and print every
    100 metrics) and stays quiet when an invocation recorded none."""
    try:
        return get_response(event)
    finally:
        if metrics.metric_set:
            if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
                metrics.clear_metrics()
            else:
                metrics.flush_metrics()
