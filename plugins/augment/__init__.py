"""Built-in differentiable augmentations for discriminator inputs.

The DiffAugment set (``color``, ``translation``, ``cutout``; Zhao et al. 2020) plus ``flip``,
``rotate90``, ``hue``, ``affine`` and ``noise`` (ADA-style, Karras et al. 2020). A recipe picks
a policy: ``[augment] policy = "color,translation,cutout"``. The ops live in
:mod:`ganvas.plugins.augment.ops` and are imported only when a policy uses them.
"""

from ganvas import Param, hookimpl

_OPS = "ganvas.plugins.augment.ops"


@hookimpl
def register_augmentations(register):
    register(
        "color",
        f"{_OPS}:color_op",
        help="DiffAugment colour: brightness +U(-0.5,0.5), saturation ×U(0,2), contrast ×U(0.5,1.5)",
        params=[
            Param("brightness", float, 0.5, "brightness offset range ±b (model space)", min=0.0, max=2.0),
            Param("saturation", float, 1.0, "saturation factor range 1±s", min=0.0, max=1.0),
            Param("contrast", float, 0.5, "contrast factor range 1±c", min=0.0, max=1.0),
        ],
    )
    register(
        "translation",
        f"{_OPS}:translation_op",
        help="DiffAugment translation: shift by up to 1/8 of the size, zero padding",
        params=[Param("ratio", float, 0.125, "largest shift as a fraction of the image size", min=0.0, max=0.5)],
    )
    register(
        "cutout",
        f"{_OPS}:cutout_op",
        help="DiffAugment cutout: blank a square of half the image size at a random place",
        params=[Param("ratio", float, 0.5, "side of the square as a fraction of the image size", min=0.0, max=1.0)],
    )
    register(
        "flip",
        f"{_OPS}:flip_op",
        help="mirror images left-right",
        params=[Param("chance", float, 0.5, "probability of mirroring an image that is augmented", min=0.0, max=1.0)],
    )
    register(
        "rotate90",
        f"{_OPS}:rotate90_op",
        help="rotate by a random multiple of 90 degrees (0/180 only for non-square images)",
    )
    register(
        "hue",
        f"{_OPS}:hue_op",
        help="rotate the hue of RGB images (kornia adjust_hue); other channel counts pass through",
        params=[Param("amount", float, 0.1, "largest hue rotation as a fraction of 180 degrees", min=0.0, max=1.0)],
    )
    register(
        "affine",
        f"{_OPS}:affine_op",
        help="random rotation, zoom and shift (kornia warp_affine, reflection padding)",
        params=[
            Param("degrees", float, 15.0, "largest rotation in degrees", min=0.0, max=180.0),
            Param("scale", float, 0.1, "zoom range 1±s", min=0.0, max=0.9),
            Param("translate", float, 0.1, "largest shift as a fraction of the image size", min=0.0, max=0.5),
        ],
    )
    register(
        "noise",
        f"{_OPS}:noise_op",
        help="additive Gaussian noise with a per-image sigma ~ |N(0, std)|",
        params=[Param("std", float, 0.1, "scale of the per-image noise sigma (model space)", min=0.0, max=2.0)],
    )


@hookimpl
def register_commands(cli):
    from ganvas.plugins.augment.commands import augment_group

    cli.add_command(augment_group)
