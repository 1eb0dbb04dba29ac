"""``ganvas bench stylize``: milliseconds per image for every stylizer, against OpenCV where it
has a comparable filter, and batched throughput.

Each stylizer runs with its defaults on a photo-like RGB picture ganvas draws itself. Where
OpenCV (the optional ``bench`` extra, never a runtime dependency) has a comparable filter,
it runs in the same process on the same picture (as uint8 BGR, its native format), the two
alternating round by round so machine load hits both alike; the ratio is ganvas / OpenCV of
the medians, at each size asked (1024 and 2048 px by default). Batched throughput runs each
stylizer on 16 pictures of 256 x 256 at once. With ``quality``, texture's blend curve and upscale
against bicubic (:mod:`.texture_curve`, :mod:`.stylize_quality`) follow.
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

__all__ = ["run_stylize_benchmark", "format_report", "format_quality", "title", "HEADER", "footer", "OPENCV_PAIRS"]

#: Stylizer -> (what OpenCV runs, parameters matching the stylizer's defaults).
OPENCV_PAIRS: dict[str, str] = {
    "oil": "xphoto.oilPainting(size=4, dynRatio=1)",
    "watercolor": "stylization(sigma_s=60, sigma_r=0.45)",
    "ink": "pencilSketch(sigma_s=60, sigma_r=0.07, shade_factor=0.02)",
    "posterize": "kmeans(K=8, 10 iterations, k-means++) on all pixels + mapping",
    "edge-preserving": "edgePreservingFilter(NORMCONV_FILTER, sigma_s=60, sigma_r=0.4)",
}
#: Settings a stylizer is timed with instead of its defaults, to match its OpenCV counterpart.
BENCH_PARAMS: dict[str, dict[str, Any]] = {"edge-preserving": {"sigma_s": 60.0}, "oil": {"radius": 4}}
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
    sizes: tuple[int, ...] = (1024, 2048),
    rounds: int = 3,
    batch: int = 16,
    batch_size: int = 256,
    only: tuple[str, ...] = (),
    opencv: bool = True,
    quality: bool = True,
    quality_size: int = 256,
    threads: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Time each stylizer (and OpenCV's counterparts) at each size; returns the report as a dict.

    Rows carry their ``size``; the batched throughput is measured once (with the first size's
    rows). ``quality`` adds texture's blend curve and upscale against bicubic. ``threads`` > 0
    sets both torch's and OpenCV's thread count (restored afterwards).
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
        load_before = os.getloadavg()
        rows = []
        for i, size in enumerate(sizes):
            if progress is not None:
                progress(title(size, batch if i == 0 else 0, batch_size) + "\n" + HEADER)
            rows += _run(host, names, cv, size, rounds, batch if i == 0 else 0, batch_size, progress)
        report = {
            "sizes": list(sizes),
            "batch": batch,
            "batch_size": batch_size,
            "device": "cpu",
            "torch_threads": torch.get_num_threads(),
            "opencv": _opencv_version() if cv else None,
            "rows": rows,
        }
        if quality:
            report["quality"] = _quality(host, names, quality_size, progress)
        report["load_average"] = {
            "before": [round(v, 2) for v in load_before],
            "after": [round(v, 2) for v in os.getloadavg()],
        }
        return report
    finally:
        torch.set_num_threads(saved)


def _quality(host: PluginHost, names: list[str], size: int, progress: Callable[[str], None] | None) -> dict[str, Any]:
    """Texture's blend curve and upscale against bicubic, for those of them being benchmarked."""
    from .stylize_quality import upscale_against_bicubic
    from .texture_curve import texture_curve

    if progress is not None and ("texture" in names or "upscale" in names):
        progress("measuring texture's blend curve and upscale against bicubic ...")
    out: dict[str, Any] = {}
    if "texture" in names:
        out["texture_curve"] = texture_curve(host, size=size)
    if "upscale" in names:
        out["upscale"] = upscale_against_bicubic(host)
    return out


def _run(
    host: PluginHost,
    names: list[str],
    cv: dict[str, Callable[[Any], Any]] | None,
    size: int,
    rounds: int,
    batch: int,
    batch_size: int,
    progress: Callable[[str], None] | None,
) -> list[dict[str, Any]]:
    """Measure every stylizer in ``names`` on pictures painted by the ``landscape`` dataset."""
    import torch

    picture = _pictures(host, size)
    bgr = picture[0].flip(0).permute(1, 2, 0).mul(255).round().byte().numpy().copy()
    small = _pictures(host, batch_size, count=min(max(batch, 1), 4))
    batch_images = small.repeat(-(-batch // len(small)), 1, 1, 1)[:batch]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        references = _reference_files(host, Path(tmp))
        for name in names:
            row = {
                "size": size,
                **_single_row(host, name, references, picture, bgr, cv.get(name) if cv else None, rounds),
            }
            if batch > 0:
                row["batch"] = _batch_row(host, name, references, batch_images)
            rows.append(row)
            if progress is not None:
                progress(_format_row(row))
    return rows


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
    """The report as tables (one per size), the quality figures and the machine's load below."""
    lines = []
    for size in report["sizes"]:
        lines += [title(size, report["batch"] if size == report["sizes"][0] else 0, report["batch_size"]), HEADER]
        lines += [_format_row(r) for r in report["rows"] if r["size"] == size]
    if report.get("quality"):
        lines.append(format_quality(report["quality"]))
    return "\n".join([*lines, footer(report)])


def format_quality(quality: dict[str, Any]) -> str:
    """Texture's blend curve and upscale against bicubic as small tables."""
    lines = []
    if "texture_curve" in quality:
        lines.append("texture blend curve (content similarity falls, texture loss falls as strength rises):")
        lines.append(f"  {'strength':>8} {'content sim':>11} {'texture loss':>12} {'seconds':>8}")
        for row in quality["texture_curve"]:
            lines.append(
                f"  {row['strength']:>8.2f} {row['content_similarity']:>11.3f} "
                f"{row['texture_loss']:>12.4f} {row['seconds']:>8.1f}"
            )
    if "upscale" in quality:
        up = quality["upscale"]
        lines.append(f"upscale 4x of 4x-shrunk photos ({up['photos']}): PSNR dB and sharpness (1 = the photo's)")
        lines.append(f"  {'photo':<12} {'upscale':>8} {'bicubic':>8} {'sharp up':>9} {'sharp bic':>9}")
        for row in up["rows"]:
            lines.append(
                f"  {row['photo']:<12} {row['upscale_psnr']:>8.2f} {row['bicubic_psnr']:>8.2f} "
                f"{row['upscale_sharpness']:>9.3f} {row['bicubic_sharpness']:>9.3f}"
            )
    return "\n".join(lines)


def title(size: int, batch: int, batch_size: int) -> str:
    """The line above the table: what was measured, on what."""
    text = f"ms per {size}x{size} RGB picture on the CPU"
    return text + (f"; batched: {batch} pictures of {batch_size}x{batch_size}" if batch else "")


def footer(report: dict[str, Any]) -> str:
    """The lines below the table: threads, OpenCV's version and the machine's load."""
    lines = [
        f"torch threads {report['torch_threads']}; OpenCV "
        f"{report['opencv'] or 'not used (--no-opencv, or not installed: pip install ganvas[bench])'}",
        f"load average before/after (1, 5, 15 min): {report['load_average']['before']} / "
        f"{report['load_average']['after']}",
    ]
    if any("params" in r.get("batch", {}) for r in report["rows"]):
        lines.append("* batched with " + "; ".join(f"{n}: {p}" for n, p in BATCH_OVERRIDES.items()))
    return "\n".join(lines)
