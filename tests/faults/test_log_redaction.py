"""Display and calendar tokens stay out of the server's logs (issue 11, item 11)."""

from __future__ import annotations

import io
import logging
import logging.config

from service.log_redaction import RedactCredentials, redact, serve_log_config

SECRET = "k3y_-SeCrEt0123456789"


def test_tokens_in_paths_and_queries_are_redacted() -> None:
    assert SECRET not in redact(f"/cal/{SECRET}.ics")
    assert redact(f"/cal/{SECRET}.ics").startswith("/cal/") and redact("/cal/x.ics").endswith(
        ".ics"
    )
    assert redact(f"/ws/centres/paris?token={SECRET}") == "/ws/centres/paris?token=[redacted]"
    assert redact(f"/display/paris?lang=en&token={SECRET}#x") == (
        "/display/paris?lang=[redacted]&token=[redacted]#x"
    )
    assert redact("/api/centres/paris/queue") == "/api/centres/paris/queue"


def _logged(logger_name: str, message: str, *args: object) -> str:
    """What uvicorn's configured handlers would write, captured."""
    config = serve_log_config()
    out = io.StringIO()
    for handler in config["handlers"].values():
        handler["stream"] = out
    config["loggers"] = {logger_name: {**config["loggers"][logger_name], "propagate": False}}
    config["loggers"][logger_name].setdefault("handlers", ["default"])
    logger = logging.getLogger(logger_name)
    saved = (logger.handlers[:], logger.level, logger.propagate, logger.filters[:])
    try:
        logging.config.dictConfig(config)
        logger.info(message, *args)
    finally:
        logger.handlers, logger.filters = saved[0], saved[3]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]
    return out.getvalue()


def test_the_serve_logging_keeps_tokens_out_of_access_and_websocket_lines() -> None:
    access = _logged(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.9:5000",
        "GET",
        f"/cal/{SECRET}.ics",
        "1.1",
        200,
    )
    assert "/cal/[redacted].ics" in access and SECRET not in access
    handshake = _logged(
        "uvicorn.error",
        '%s - "WebSocket %s" [accepted]',
        "10.0.0.9:5001",
        f"/ws/centres/paris?token={SECRET}",
    )
    assert "token=[redacted]" in handshake and SECRET not in handshake


def test_the_filter_leaves_other_records_alone() -> None:
    record = logging.LogRecord("walkin", logging.INFO, "", 0, "served %s in %d ms", ("/", 3), None)
    assert RedactCredentials().filter(record) and record.getMessage() == "served / in 3 ms"
