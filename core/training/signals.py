"""Stop requests from Ctrl-C (SIGINT) and SIGTERM: finish the step, checkpoint, then stop."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["stop_signals", "SIGNAL_NAMES"]

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


@contextmanager
def stop_signals(request_stop: Callable[[str], None], is_stopping: Callable[[], bool]) -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM call ``request_stop(name)``; a second one while
    ``is_stopping()`` raises KeyboardInterrupt (abort without waiting). Outside the main thread
    (no signal handling there) the block runs unchanged."""
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        if is_stopping():
            raise KeyboardInterrupt
        request_stop(SIGNAL_NAMES.get(signal.Signals(signum), str(signum)))

    try:
        for sig in list(SIGNAL_NAMES):
            previous[sig] = signal.getsignal(sig)
            signal.signal(sig, handler)
    except ValueError:  # not the main thread
        previous.clear()
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
