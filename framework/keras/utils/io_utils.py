"""Where Keras's messages go: stdout while interactive logging is on (the default), the
``keras`` logger otherwise (``keras.utils.disable_interactive_logging``)."""
from __future__ import annotations

import logging
import sys
import threading

_state = threading.local()


def enable_interactive_logging():
    _state.on = True


def disable_interactive_logging():
    _state.on = False


def is_interactive_logging_enabled():
    return getattr(_state, "on", True)


def print_msg(message, line_break=True):
    """``message`` to stdout (non-encodable characters dropped), or to the log."""
    message = str(message)
    if not is_interactive_logging_enabled():
        logging.getLogger("keras").info(message)
        return
    message = f"{message}\n" if line_break else message
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        enc = sys.stdout.encoding or "utf-8"
        sys.stdout.write(message.replace("━", "=").encode(enc, "ignore").decode(enc))
    sys.stdout.flush()
