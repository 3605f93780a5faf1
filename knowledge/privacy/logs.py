"""Masking of log records: every record of the process, JSON escapes decoded, partial phones."""
from __future__ import annotations

import logging
import re
import sys

from knowledge.privacy.masking import mask
from knowledge.privacy.patterns import TELEPHONE

_ESCAPE_RE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _unescape(m: re.Match) -> str:
    if m.group(3):
        c = int(m.group(3), 16)
        return m.group(0) if 0xD800 <= c <= 0xDFFF or c < 0x20 else chr(c)
    hi, lo = int(m.group(1), 16), int(m.group(2), 16)
    return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))


# In logs, a partial phone number (a traceback quoting "06 12 34") is masked too.
_PARTIAL_PHONE_RE = re.compile(r"(?<![\w:.,/\-])(?:\+33\s?|0)[1-9](?:[ .\-]?\d{2}){2,3}(?![\w:/])")


def mask_log_text(text: str) -> str:
    """Mask a log line whatever its encoding: JSON `\\uXXXX` escapes are decoded first."""
    if not text:
        return text
    if "\\u" in text:
        text = _ESCAPE_RE.sub(_unescape, text)
    return _PARTIAL_PHONE_RE.sub(TELEPHONE, mask(text))


class MaskingFilter(logging.Filter):
    """Logging filter that masks identifiers in the formatted message of every record.

    Install it on handlers (or loggers) of the bot: `handler.addFilter(MaskingFilter())`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record_in_place(record)
        return True


def _mask_record_in_place(record: logging.LogRecord) -> None:
    if getattr(record, "_aiguillage_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to the handler's own error path
        return
    record.msg = mask_log_text(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        # formatted here so that the handler's formatter reuses the masked text
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_log_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_log_text(record.stack_info)
    record._aiguillage_masked = True


_installed_factory = False


def install_logging_filter(*logger_names: str) -> MaskingFilter:
    """Mask every log record of this process, whatever handler writes it.

    Installs a record factory (records are masked when created, so handlers added later by
    Rasa, Sanic or the channels are covered), a filter on the root handlers and the named
    loggers (for records built by hand), and an excepthook masking uncaught tracebacks.
    """
    global _installed_factory
    f = MaskingFilter()
    if not _installed_factory:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            _mask_record_in_place(record)
            return record

        logging.setLogRecordFactory(factory)
        previous_hook = sys.excepthook

        def hook(exc_type, exc, tb):
            import traceback
            sys.stderr.write(mask_log_text("".join(traceback.format_exception(exc_type, exc, tb))))

        hook.previous = previous_hook  # type: ignore[attr-defined]
        sys.excepthook = hook
        _installed_factory = True
    root = logging.getLogger()
    for h in root.handlers:
        h.addFilter(f)
    for name in logger_names:
        logger = logging.getLogger(name)
        logger.addFilter(f)
        for h in logger.handlers:
            h.addFilter(f)
    return f
