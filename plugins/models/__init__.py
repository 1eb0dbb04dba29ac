"""Built-in architectures: ``mlp`` (dense), ``dcgan``, ``cppn`` (any size) and ``spatial`` (textures, tiles)."""

from ganvas import Param, Shapes, hookimpl

#: DCGAN's generator doubles from 4x4 and its discriminator halves back: square powers of two.
_DCGAN_SHAPES = Shapes(min_size=16, max_size=256, square=True, power_of_two=True)

_DCGAN_PARAMS = [
    Param("z_dim", int, 100, "size of the latent noise vector", min=1, max=4096),
    Param("width", int, 64, "channels of the widest-resolution layer (ngf = ndf)", min=4, max=1024),
    Param("max_width", int, 512, "cap on channels in the deepest layers", min=4, max=4096),
    Param(
        "upsample",
        str,
        "transposed",
        "how G doubles its resolution: transposed convolutions (the paper's; can paint a chequerboard) "
        "or resize (nearest-neighbour resize + 3x3 convolution: no chequerboard)",
        choices=("transposed", "resize"),
    ),
    Param(
        "norm",
        str,
        "batch",
        "batch: batch norm (DCGAN's); none: no normalisation layers, so several training processes "
        "on the CPU share every statistic (torch's SyncBatchNorm is CUDA-only)",
        choices=("batch", "none"),
    ),
    Param(
        "class_speed",
        float,
        10.0,
        "class-conditional only: how fast each class's batch-norm gains and biases move apart, "
        "as a multiple of the learning rate (1: they barely separate in a few thousand steps)",
        min=0.0,
        max=1000.0,
    ),
]

_CPPN_PARAMS = [
    Param("z_dim", int, 64, "size of the latent noise vector", min=1, max=4096),
    Param(
        "grid",
        int,
        16,
        "side of the coarse feature map z is turned into (1: one vector, the pure CPPN)",
        choices=(1, 4, 8, 16, 32),
    ),
    Param("width", int, 32, "channels of the feature map's finest convolution (doubling to 4x4)", min=4, max=512),
    Param("features", int, 32, "channels of that feature map, read by every pixel", min=1, max=512),
    Param("hidden", int, 32, "units in each layer of the per-pixel MLP", min=4, max=1024),
    Param("depth", int, 2, "layers of the per-pixel MLP", min=1, max=12),
    Param("frequencies", int, 16, "random Fourier frequencies of the pixel position", min=0, max=256),
    Param(
        "fourier_scale",
        float,
        3.0,
        "spread of those frequencies (cycles per half image side)",
        min=0.0,
        max=64.0,
    ),
    Param("palette", int, 8, "colour fields mixed per pixel (0: plain RGB output)", min=0, max=32),
    Param(
        "colour_grid",
        int,
        4,
        "cells a side of the map the colour fields vary over: slow gradients, never edges (1: flat colours)",
        min=1,
        max=32,
    ),
    Param(
        "crisp",
        float,
        1.0,
        "keep edges one output pixel wide at larger sizes (0: render as trained)",
        min=0.0,
        max=2.0,
    ),
    Param(
        "d_width",
        int,
        32,
        "channels of the discriminator's first layer (doubling as it halves)",
        min=4,
        max=512,
    ),
]

_SPATIAL_PARAMS = [
    Param("z_dim", int, 64, "size of the latent noise vector", min=1, max=4096),
    Param("levels", int, 3, "doublings from the latent grid to pixels (a cell is 2**levels px)", min=1, max=6),
    Param("width", int, 32, "channels of the finest layer (doubling per level towards the grid)", min=4, max=512),
    Param(
        "global_channels",
        int,
        16,
        "noise channels the same everywhere (the texture's character)",
        min=0,
        max=256,
    ),
    Param("local_channels", int, 8, "noise channels that differ per cell (variation)", min=0, max=256),
    Param("periodic", int, 4, "sine channels whose waves z chooses (regular structure)", min=0, max=64),
    Param("d_width", int, 32, "channels of the PatchGAN discriminator's first layer", min=4, max=512),
]


@hookimpl
def register_architectures(register):
    register(
        "mlp",
        "ganvas.plugins.models.mlp:build",
        help="dense generator and discriminator, as in the classic GAN tutorial (points or small images)",
        params=[
            Param("z_dim", int, 64, "size of the latent noise vector", min=1, max=4096),
            Param("width", int, 256, "units in each hidden layer", min=1, max=16384),
            Param("depth", int, 3, "hidden layers in each network", min=1, max=16),
        ],
        accepts=Shapes(points=True, max_size=128),
    )
    register(
        "dcgan",
        "ganvas.plugins.models.dcgan:build",
        help="DCGAN: transposed-conv generator, strided-conv discriminator, batch norm, LeakyReLU; "
        "class-conditional with method.conditional (class batch norm in G, a projection discriminator)",
        params=_DCGAN_PARAMS,
        accepts=_DCGAN_SHAPES,
        conditional=True,
    )
    register(
        "cppn",
        "ganvas.plugins.models.cppn:build",
        help="CPPN: colour as a function of (x, y, z) with Fourier features; trains small, renders crisp at any "
        "size; class-conditional with method.conditional (a class embedding beside z, a projection discriminator)",
        params=_CPPN_PARAMS,
        accepts=Shapes(min_size=8, max_size=256),
        any_size=True,
        conditional=True,
    )
    register(
        "spatial",
        "ganvas.plugins.models.spatial:build",
        help="Periodic Spatial GAN for textures: a fully convolutional generator on a latent grid; any size, seamless tiles",
        params=_SPATIAL_PARAMS,
        accepts=_spatial_shapes,
        any_size=True,
        tiles=True,
    )


def _spatial_shapes(shape, params):
    """square or not, images whose sides are multiples of the cell (2**levels px), 16 to 512 px"""
    problem = Shapes(min_size=16, max_size=512).problem(shape)
    cell = 2 ** params["levels"]
    if problem is None and (shape[1] % cell or shape[2] % cell):
        problem = (
            f"with levels = {params['levels']} needs sides that are multiples of {cell} px, got {shape[1]}x{shape[2]}"
        )
    return problem
