"""Built-in datasets: ``folder:PATH``, ``procedural:STYLE``, ``landscape:``, ``mnist:PATH`` and ``toy2d:ring|grid``."""

from ganvas import Param, hookimpl

_SIZE = Param("size", int, 64, "image side in pixels (square)", min=4, max=1024)


def _channels(default: int) -> Param:
    return Param("channels", int, default, "1 for grayscale, 3 for RGB", choices=(1, 3))


@hookimpl
def register_datasets(register):
    register(
        "folder",
        "ganvas.plugins.datasets.folder:load",
        help="your images: folder:PATH, recursive; png/jpg/webp/bmp; centre-cropped and resized",
        params=[_SIZE, _channels(3), Param("limit", int, 0, "use at most this many images (0: all)", min=0)],
    )
    register(
        "procedural",
        "ganvas.plugins.datasets.procedural:load",
        help="art ganvas draws itself, no download: procedural:circles|mondrian|truchet|stripes|mountains|petals",
        params=[
            _SIZE,
            _channels(3),
            Param("count", int, 2048, "how many images to draw", min=1, max=200_000),
            Param("seed", int, 0, "drawing seed (independent of the training seed)", min=0, max=2**62),
        ],
    )
    register(
        "landscape",
        "ganvas.plugins.datasets.landscape:load",
        help="photo-like landscapes ganvas paints itself (sky, sun, mountains, lake, meadow), no download",
        params=[
            Param("size", int, 256, "picture side in pixels", min=16, max=4096),
            Param("count", int, 16, "how many pictures to paint", min=1, max=10_000),
            Param("seed", int, 0, "seed of the first picture (picture i uses seed + i)", min=0, max=2**62),
            Param("hue", float, 0.0, "rotate the palette by this fraction of the colour wheel", min=0.0, max=1.0),
        ],
    )
    register(
        "mnist",
        "ganvas.plugins.datasets.mnist:load",
        help="MNIST-style IDX files you have: mnist:PATH (an images file or a folder; .gz or not)",
        params=[
            Param("size", int, 32, "image side; 28-px digits are resized", min=4, max=1024),
            Param("limit", int, 0, "use at most this many images (0: all)", min=0),
        ],
    )
    register(
        "toy2d",
        "ganvas.plugins.datasets.toy2d:load",
        help="2-D Gaussian mixtures for benchmarks: toy2d:ring (8 modes) or toy2d:grid (25 modes)",
        params=[Param("count", int, 100_000, "points to draw", min=1, max=10_000_000)],
    )
