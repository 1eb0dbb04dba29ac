"""Built-in datasets: ``folder:PATH``, ``image:PATH|NAME``, ``procedural:STYLE``, ``texture:NAME|PATH``, ``photos:NAMES``, ``landscape:``, ``mnist:PATH`` and ``toy2d:ring|grid``."""

from ganvas import Param, hookimpl

_SIZE = Param("size", int, 64, "image side in pixels (square)", min=4, max=1024)


def _channels(default: int) -> Param:
    return Param("channels", int, default, "1 for grayscale, 3 for RGB", choices=(1, 3))


def _square(channels: int | None = None):
    """The ``shape`` trait of a dataset of square images: ``(channels, size, size)`` from its params."""

    def shape(argument: str, params: dict) -> tuple[int, ...]:
        return (channels or params["channels"], params["size"], params["size"])

    return shape


def _texture_shape(argument, params):
    """Crops of ``size`` px; a problem when they cannot fit in a ``canvas`` that small."""
    if params["canvas"] and params["canvas"] < params["size"]:
        return f"canvas = {params['canvas']} is smaller than size = {params['size']}: crops must fit in the picture"
    return (params["channels"], params["size"], params["size"])


def _image_shape(argument, params):
    from ganvas.plugins.datasets.image import item_shape  # reads only the file's header

    return item_shape(argument, params)


_TEXTURE_PARAMS = [
    Param("size", int, 64, "crop side in pixels (square)", min=8, max=1024),
    _channels(3),
    Param("count", int, 2048, "how many crops to cut", min=1, max=200_000),
    Param(
        "canvas",
        int,
        256,
        "side the texture is drawn at, or a file's short side is resized to; at least size "
        "(0: a file as it is, a built-in at 256)",
        min=0,
        max=4096,
    ),
    Param("seed", int, 0, "drawing and crop seed (independent of the training seed)", min=0, max=2**62),
]


def _register_folder(register):
    register(
        "folder",
        "ganvas.plugins.datasets.folder:load",
        help="your images: folder:PATH, recursive; png/jpg/webp/bmp; centre-cropped and resized",
        params=[
            _SIZE,
            _channels(3),
            Param("limit", int, 0, "use at most this many images (0: all)", min=0),
            Param(
                "classes",
                str,
                "none",
                "subfolders: each sub-folder is a class (labels for conditional training); none: no labels",
                choices=("none", "subfolders"),
            ),
            Param(
                "cache",
                str,
                "auto",
                "disk: decode once into an on-disk cache (reused by later runs) and read batches from it, "
                "for folders larger than memory; memory: hold every image; auto: disk above 1 GiB decoded",
                choices=("auto", "memory", "disk"),
            ),
        ],
        shape=_square(),
    )


def _register_image(register):
    register(
        "image",
        "ganvas.plugins.datasets.image:load",
        help="one picture, for single-image methods: image:PATH (png/jpg/webp/bmp) or image:landscape|hubble|cobbles|marble|...",
        params=[
            Param("size", int, 250, "longer side in pixels (a smaller picture keeps its size)", min=16, max=2048),
            _channels(3),
            Param("seed", int, 0, "drawing seed of a built-in picture", min=0, max=2**62),
        ],
        shape=_image_shape,
    )


def _register_photos(register):
    register(
        "photos",
        "ganvas.plugins.datasets.photos:load",
        help="random crops of scikit-image's bundled public-domain photos (the photos extra): "
        "photos:train|test|all or photos:astronaut,chelsea,coffee,rocket,hubble,ihc,motorcycle,retina",
        params=[
            Param("size", int, 64, "crop side in pixels (square)", min=8, max=1024),
            _channels(3),
            Param("count", int, 1024, "how many crops to cut, spread evenly over the photos", min=1, max=200_000),
            Param("canvas", int, 0, "resize each photo's short side to this first (0: as it is)", min=0, max=4096),
            Param("seed", int, 0, "crop seed (independent of the training seed)", min=0, max=2**62),
        ],
        shape=_square(),
    )


@hookimpl
def register_datasets(register):
    _register_folder(register)
    _register_photos(register)
    register(
        "procedural",
        "ganvas.plugins.datasets.procedural:load",
        help="art ganvas draws itself, no download: procedural:circles|mondrian|truchet|stripes|mountains|petals, "
        "or procedural:mixed (all six, labelled by style: a conditional GAN's classes)",
        params=[
            _SIZE,
            _channels(3),
            Param("count", int, 2048, "how many images to draw", min=1, max=200_000),
            Param("seed", int, 0, "drawing seed (independent of the training seed)", min=0, max=2**62),
        ],
        shape=_square(),
    )
    register(
        "texture",
        "ganvas.plugins.datasets.texture:load",
        help="random crops of one big texture, for spatial texture GANs: texture:cobbles|marble|scales|weave "
        "(drawn by ganvas, no download) or texture:PATH (one image file)",
        params=_TEXTURE_PARAMS,
        shape=_texture_shape,
    )
    _register_image(register)
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
        shape=_square(3),
    )
    register(
        "mnist",
        "ganvas.plugins.datasets.mnist:load",
        help="MNIST-style IDX files you have: mnist:PATH (an images file or a folder; .gz or not); "
        "labelled 0-9 when the labels file lies beside it",
        params=[
            Param("size", int, 32, "image side; 28-px digits are resized", min=4, max=1024),
            Param("limit", int, 0, "use at most this many images (0: all)", min=0),
        ],
        shape=_square(1),
    )
    register(
        "toy2d",
        "ganvas.plugins.datasets.toy2d:load",
        help="2-D Gaussian mixtures for benchmarks: toy2d:ring (8 modes) or toy2d:grid (25 modes)",
        params=[Param("count", int, 100_000, "points to draw", min=1, max=10_000_000)],
        shape=lambda argument, params: (2,),
    )
