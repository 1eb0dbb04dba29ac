"""``ganvas watch``'s web server: the standard library's threading HTTP server, one page and a
small JSON API the page polls.

    GET /                          the page (page.html: inline script and SVG, nothing from the net)
    GET /api/runs                  every watched run's summary, recipe and the recipe keys that differ
    GET /api/stats?run=I&offset=N  stats lines after byte N of run I's stats.jsonl (whole lines only)
    GET /api/samples?run=I         run I's sample grids, oldest first
    GET /file/I/samples/NAME.png   a grid; /file/I/final.png and /file/I/images/NAME.png, the pictures

Runs are numbered by their place in the list; with ``--all`` the list is the runs folder, read
again on every ``/api/runs``, so runs started later appear.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ganvas.io.runs import STATS_FILE
from ganvas.runs import Run
from ganvas.watch.follow import read_from
from ganvas.watch.summary import flat_recipe, recipe_differences, summarize

__all__ = ["WatchServer", "page_html"]

_FILE_RE = re.compile(r"^/file/(\d+)/(samples/step-\d+\.png|final\.png|images/[\w.-]+\.png)$")


def page_html() -> str:
    return resources.files("ganvas.watch").joinpath("page.html").read_text(encoding="utf-8")


class WatchServer:
    """Serves the runs ``list_runs()`` returns (called on every runs request) at ``host:port``."""

    def __init__(self, list_runs: Callable[[], list[Path]], host: str = "127.0.0.1", port: int = 8765) -> None:
        self.list_runs = list_runs
        self.runs: list[Path] = list(list_runs())
        self.page = page_html()
        handler = type("Handler", (_Handler,), {"watch": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)  # OSError when the port is taken
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        address, port = self.httpd.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.25)

    def start(self) -> WatchServer:
        """Serve in a background thread (tests, notebooks); :meth:`stop` ends it."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- the API -------------------------------------------------------------------------------

    def runs_payload(self) -> dict[str, Any]:
        self.runs = list(self.list_runs())
        recipes = [flat_recipe(path) for path in self.runs]
        runs = [
            {"id": i, **summarize(path), "recipe": recipe} for i, (path, recipe) in enumerate(zip(self.runs, recipes))
        ]
        return {"runs": runs, "differences": recipe_differences(recipes)}

    def run_path(self, query: dict[str, list[str]]) -> Path | None:
        try:
            index = int(query.get("run", [""])[0])
        except ValueError:
            return None
        return self.runs[index] if 0 <= index < len(self.runs) else None

    def stats_payload(self, run: Path, offset: int) -> dict[str, Any]:
        chunk = read_from(run / STATS_FILE, offset)
        return {"lines": chunk.lines, "offset": chunk.offset, "skipped": chunk.skipped, "reset": chunk.reset}

    def samples_payload(self, index: int, run: Path) -> dict[str, Any]:
        grids = [{"step": step, "url": f"/file/{index}/samples/{p.name}"} for step, p in Run(run).samples()]
        return {"samples": grids}


def _finite(data: Any) -> Any:
    """``data`` with NaN and infinities as null: JSON has no word for them, and the page skips nulls."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    return data


class _Handler(BaseHTTPRequestHandler):
    watch: WatchServer
    server_version = "ganvas-watch"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal shows the URL only
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        try:
            if parts.path in ("/", "/index.html"):
                return self._send(HTTPStatus.OK, self.watch.page.encode(), "text/html; charset=utf-8")
            if parts.path == "/api/runs":
                return self._json(self.watch.runs_payload())
            if parts.path in ("/api/stats", "/api/samples"):
                run = self.watch.run_path(query)
                if run is None:
                    return self._json({"error": "no such run"}, HTTPStatus.NOT_FOUND)
                if parts.path == "/api/samples":
                    return self._json(self.watch.samples_payload(self.watch.runs.index(run), run))
                offset = query.get("offset", ["0"])[0]
                return self._json(self.watch.stats_payload(run, int(offset) if offset.isdigit() else 0))
            match = _FILE_RE.match(parts.path)
            if match and int(match[1]) < len(self.watch.runs):
                path = self.watch.runs[int(match[1])] / match[2]
                if path.is_file():
                    return self._send(HTTPStatus.OK, path.read_bytes(), "image/png", cache=True)
            return self._json({"error": f"not found: {parts.path}"}, HTTPStatus.NOT_FOUND)
        except (BrokenPipeError, ConnectionResetError):
            return None
        except Exception as exc:  # one bad request must not stop the page for the others
            return self._json({"error": f"{type(exc).__name__}: {exc}"}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _json(self, data: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(_finite(data), allow_nan=False, default=str).encode(), "application/json")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600" if cache else "no-store")
        self.end_headers()
        self.wfile.write(body)
