"""``ganvas bench stylize``: milliseconds per image for every stylizer, against OpenCV where it
has a comparable filter, and batched throughput.

Each stylizer runs with its defaults on a photo-like RGB picture ganvas draws itself. Where
OpenCV (the optional ``bench`` extra, never a runtime dependency) has a comparable filter,
it runs in the same process on the same picture (as uint8 BGR, its native format), the two
alternating round by round so machine load hits both alike; the ratio is ganvas / OpenCV of
the medians. Batched throughput runs each stylizer on 16 pictures of 256 x 256 at once.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganvas.plugin import PluginHost

__all__ = ["run_stylize_benchmark", "format_report", "title", "HEADER", "footer", "OPENCV_PAIRS"]

#: Stylizer -> (what OpenCV runs, parameters matching the stylizer's defaults).
OPENCV_PAIRS: dict[str, str] = {
    "oil": "xphoto.oilPainting(size=4, dynRatio=1)",
    "watercolor": "stylization(sigma_s=60, sigma_r=0.45)",
    "ink": "pencilSketch(sigma_s=60, sigma_r=0.07, shade_factor=0.02)",
    "posterize": "kmeans(K=8, 10 iterations, k-means++) on all pixels + mapping",
    "edge-preserving": "edgePreservingFilter(NORMCONV_FILTER, sigma_s=60, sigma_r=0.4)",
}
#: Settings a stylizer is timed with instead of its defaults, to match its OpenCV counterpart.
BENCH_PARAMS: dict[str, dict[str, Any]] = {"edge-preserving": {"sigma_s": 60.0}}
SLOW_MS = 5000.0  # a stylizer slower than this is timed once (its warm-up run)
BATCH_OVERRIDES: dict[str, dict[str, Any]] = {"texture": {"steps": 4}}  # keep the batched run short


def _opencv_functions() -> dict[str, Callable[[Any], Any]] | None:
    try:
        import cv2
    except ImportError:
        return None

    def kmeans(img: Any) -> Any:
        pixels = img.reshape(-1, 3).astype("float32")
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
        _, labels, centres = cv2.kmeans(pixels, 8, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
        return centres.astype("uint8")[labels.ravel()].reshape(img.shape)

    return {
        "oil": lambda img: cv2.xphoto.oilPainting(img, 4, 1),
        "watercolor": lambda img: cv2.stylization(img, sigma_s=60, sigma_r=0.45),
        "ink": lambda img: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.02),
        "posterize": kmeans,
        "edge-preserving": lambda img: cv2.edgePreservingFilter(
            img, flags=cv2.NORMCONV_FILTER, sigma_s=60, sigma_r=0.4
        ),
    }


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _pictures(host: PluginHost, size: int, count: int = 1, seed: int = 0, hue: float = 0.0) -> Any:
    """Photo-like landscapes ``(count, 3, size, size)`` in [0, 1], painted by the ``landscape`` dataset."""
    data = host.get("datasets", "landscape").build("", size=size, count=count, seed=seed, hue=hue).data
    return data.float().div(255)


def _reference_files(host: PluginHost, folder: Path) -> dict[str, str]:
    """Reference pictures for palette, color-transfer and texture, written to ``folder``."""
    from ganvas.io import save_png

    path = folder / "reference.png"
    save_png(host.get("datasets", "landscape").build("", size=512, count=1, seed=1, hue=0.55).data[0], path)
    return {"reference": str(path)}


def _stylizer_fn(host: PluginHost, name: str, references: dict[str, str], overrides: dict[str, Any]) -> Any:
    """The registered stylizer ``name``, built with its references and benchmark settings, quiet."""
    component = host.get("stylizers", name)
    given = {k: v for k, v in references.items() if any(p.name == k for p in component.params)}
    module = component.build(**given, **{**BENCH_PARAMS.get(name, {}), **overrides})
    if hasattr(module, "progress"):
        module.progress = False
    return module


def run_stylize_benchmark(
    host: PluginHost,
    *,
    size: int = 1024,
    rounds: int = 3,
    batch: int = 16,
    batch_size: int = 256,
    only: tuple[str, ...] = (),
    opencv: bool = True,
    threads: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Time each stylizer (and OpenCV's counterparts); returns the report as a dict.

    ``threads`` > 0 sets both torch's and OpenCV's thread count (restored afterwards).
    """
    import torch

    # a stylizer with a pinned file (a trained model: `model`) needs a run; ganvas bench repair times those
    names = list(only) or [
        n for n in host.registry.names("stylizers") if not any(p.pinned for p in host.get("stylizers", n).params)
    ]
    cv = _opencv_functions() if opencv else None
    saved = torch.get_num_threads()
    if threads > 0:
        torch.set_num_threads(threads)
        if cv is not None:
            import cv2

            cv2.setNumThreads(threads)
    try:
        return _run(host, names, cv, size, rounds, batch, batch_size, progress)
    finally:
        torch.set_num_threads(saved)


def _run(
    host: PluginHost,
    names: list[str],
    cv: dict[str, Callable[[Any], Any]] | None,
    size: int,
    rounds: int,
    batch: int,
    batch_size: int,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    """Measure every stylizer in ``names`` on pictures painted by the ``landscape`` dataset."""
    import torch

    picture = _pictures(host, size)
    bgr = picture[0].flip(0).permute(1, 2, 0).mul(255).round().byte().numpy().copy()
    small = _pictures(host, batch_size, count=min(max(batch, 1), 4))
    batch_images = small.repeat(-(-batch // len(small)), 1, 1, 1)[:batch]
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        references = _reference_files(host, Path(tmp))
        for name in names:
            row = _single_row(host, name, references, picture, bgr, cv.get(name) if cv else None, rounds)
            if batch > 0:
                row["batch"] = _batch_row(host, name, references, batch_images)
            rows.append(row)
            if progress is not None:
                progress(_format_row(row))
    return {
        "size": size,
        "batch": batch,
        "batch_size": batch_size,
        "device": "cpu",
        "torch_threads": torch.get_num_threads(),
        "opencv": _opencv_version() if cv else None,
        "load_average": {"before": [round(v, 2) for v in load_before], "after": [round(v, 2) for v in os.getloadavg()]},
        "rows": rows,
    }


def _single_row(
    host: PluginHost,
    name: str,
    references: dict[str, str],
    picture: Any,
    bgr: Any,
    cv_fn: Callable[[Any], Any] | None,
    rounds: int,
) -> dict[str, Any]:
    """Milliseconds on one picture, alternating with OpenCV's counterpart (if any) round by round."""
    fn = _stylizer_fn(host, name, references, {})
    warm = _timed(lambda: fn(picture))
    if cv_fn is not None:
        cv_fn(bgr)
    ours, theirs = [], []
    for _ in range(1 if warm > SLOW_MS else rounds):
        ours.append(warm if warm > SLOW_MS else _timed(lambda: fn(picture)))
        if cv_fn is not None:
            theirs.append(_timed(lambda: cv_fn(bgr)))
    row: dict[str, Any] = {"name": name, "ms": statistics.median(ours), "rounds": len(ours)}
    if theirs:
        row["opencv"] = {"filter": OPENCV_PAIRS[name], "ms": statistics.median(theirs)}
        row["ratio"] = row["ms"] / row["opencv"]["ms"]
    return row


def _batch_row(host: PluginHost, name: str, references: dict[str, str], images: Any) -> dict[str, Any]:
    """Images per second of one batched call (after a warm-up on two images)."""
    overrides = BATCH_OVERRIDES.get(name, {})
    batched = _stylizer_fn(host, name, references, overrides)
    batched(images[:2])
    seconds = _timed(lambda: batched(images)) / 1000
    return {"images_per_s": len(images) / seconds, **({"params": overrides} if overrides else {})}


def _opencv_version() -> str:
    import cv2

    return f"{cv2.__version__} ({cv2.getNumThreads()} threads)"


HEADER = f"{'stylizer':<16} {'ms/image':>9} {'OpenCV ms':>10} {'ratio':>6} {'batch img/s':>12}  OpenCV filter"


def _format_row(row: dict[str, Any]) -> str:
    cv = row.get("opencv")
    batch = row.get("batch")
    batch_text = f"{batch['images_per_s']:.1f}" + ("*" if "params" in batch else "") if batch else "-"
    cv_ms, ratio = (f"{cv['ms']:.0f}", f"{row['ratio']:.2f}") if cv else ("-", "-")
    return (
        f"{row['name']:<16} {row['ms']:>9.0f} {cv_ms:>10} {ratio:>6} {batch_text:>12}  {cv['filter'] if cv else ''}"
    ).rstrip()


def format_report(report: dict[str, Any]) -> str:
    """The report as a table, with what was measured on what above it and the machine's load below."""
    return "\n".join(
        [
            title(report["size"], report["batch"], report["batch_size"]),
            HEADER,
            *(_format_row(r) for r in report["rows"]),
            footer(report),
        ]
    )


def title(size: int, batch: int, batch_size: int) -> str:
    """The line above the table: what was measured, on what."""
    return f"ms per {size}x{size} RGB picture on the CPU; batched: {batch} pictures of {batch_size}x{batch_size}"


def footer(report: dict[str, Any]) -> str:
    """The lines below the table: threads, OpenCV's version and the machine's load."""
    lines = [
        f"torch threads {report['torch_threads']}; OpenCV "
        f"{report['opencv'] or 'not installed (pip install ganvas[bench])'}",
        f"load average before/after (1, 5, 15 min): {report['load_average']['before']} / "
        f"{report['load_average']['after']}",
    ]
    if any("params" in r.get("batch", {}) for r in report["rows"]):
        lines.append("* batched with " + "; ".join(f"{n}: {p}" for n, p in BATCH_OVERRIDES.items()))
    return "\n".join(lines)
