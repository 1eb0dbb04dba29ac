"""Progress reporting: a tqdm bar on a terminal, a line every tenth of the run otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO

from tqdm import tqdm

__all__ = ["Progress", "format_duration"]


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Shows step, losses, images/s and ETA. ``quiet`` silences it; off a terminal it logs lines."""

    def __init__(self, total: int, start: int, label: str, quiet: bool = False, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.start = total, start
        self.quiet = quiet
        self.interactive = not quiet and self.stream.isatty()
        self.started = time.perf_counter()
        self._next_line = start
        self._last = (self.started, start)  # (time, step) of the previous printed line
        self.bar = (
            tqdm(
                total=total, initial=start, desc=label, unit="step", dynamic_ncols=True, file=self.stream, smoothing=0.1
            )
            if self.interactive
            else None
        )

    def update(self, step: int, fields: dict[str, str]) -> None:
        """Called at every logging interval with the current step and short text fields."""
        if self.bar is not None:
            self.bar.update(step - self.bar.n)
            self.bar.set_postfix_str(" ".join(f"{k} {v}" for k, v in fields.items()), refresh=True)
        elif not self.quiet and (step >= self._next_line or step == self.total):
            self._next_line = step + max(1, self.total // 10)
            now = time.perf_counter()
            last_time, last_step = self._last
            # the rate since the previous line: steps that grow dearer (a pyramid's finer
            # scales) are not promised at the price of the cheap ones before them
            rate = (step - last_step) / max(now - last_time, 1e-9) if step > last_step else 0.0
            self._last = (now, step)
            eta = (self.total - step) / rate if rate else 0.0
            text = " · ".join(f"{k} {v}" for k, v in fields.items())
            print(f"step {step}/{self.total} · {text} · eta {format_duration(eta)}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def write(self, message: str) -> None:
        """Print a message without breaking the bar."""
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)
