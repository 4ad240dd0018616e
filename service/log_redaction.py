"""Credentials out of the server's logs: display and calendar tokens travel in URLs.

uvicorn logs every request line (`uvicorn.access`) and every WebSocket handshake
(`uvicorn.error`) with its query string: a screen's `?token=…` or a doctor's
`/cal/<token>.ics` would sit in the logs for anyone who reads them. The filter rewrites the
logged arguments before any handler formats them.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

REDACTED = "[redacted]"
_CALENDAR_TOKEN = re.compile(r"(/cal/)[^/?#\s\"]+?(\.ics)")
_QUERY_VALUE = re.compile(r"([?&][^=&#\s\"]*=)[^&#\s\"]*")


def redact(text: str) -> str:
    """A path with its calendar token and every query value replaced."""
    return _QUERY_VALUE.sub(rf"\1{REDACTED}", _CALENDAR_TOKEN.sub(rf"\1{REDACTED}\2", text))


class RedactCredentials(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = redact(record.msg)
        return True


def serve_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with the filter on both of its handlers, and our
    ``walkin.*`` loggers on stderr with the request id (service/request_id.py)."""
    from service.request_id import LOG_FORMAT, RequestIdFilter

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "redact_credentials": {"()": RedactCredentials},
        "request_id": {"()": RequestIdFilter},
    }
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_credentials"]
    config["formatters"]["walkin"] = {"format": LOG_FORMAT}
    config["handlers"]["walkin"] = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "walkin",
        "filters": ["redact_credentials", "request_id"],
    }
    config["loggers"]["walkin"] = {"handlers": ["walkin"], "level": "INFO", "propagate": False}
    return config
