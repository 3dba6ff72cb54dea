"""Logging filters for Django's request log."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Logs a client error (4xx: a refused or missing page) as its one line, without the traceback
    Django attaches to a PermissionDenied or Http404; server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
