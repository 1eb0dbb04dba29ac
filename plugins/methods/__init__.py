"""Built-in training methods (``gan``, ``pyramid``), registered through the same hook a third-party plugin uses."""

from ganvas import Param, hookimpl


@hookimpl
def register_methods(register):
    register(
        "gan",
        "ganvas.plugins.methods.gan:GanMethod",
        help="a GAN on a set of images or points, unconditional or class-conditional: n_critic D phases, one G phase, EMA of G",
        params=[
            Param("n_critic", int, 0, "D phases per G phase; 0 takes the loss's own default (wgan: 5)", min=0),
            Param(
                "collapse_watch",
                bool,
                True,
                "log Collapse/diversity of fixed samples and warn once when it falls sharply",
            ),
            Param(
                "conditional",
                bool,
                False,
                "class-conditional (data with labels: procedural:mixed, mnist:, folder: with classes = "
                '"subfolders"; a conditional architecture: dcgan); sample with --class NAME',
            ),
        ],
        aliases=["unconditional"],
    )
    register(
        "pyramid",
        "ganvas.plugins.methods.pyramid:PyramidMethod",
        help="art from one picture: a pyramid of patch GANs, coarse to fine (SinGAN), top stages trained together (ConSinGAN)",
        params=_PYRAMID_PARAMS,
        aliases=["singan"],
    )


_PYRAMID_PARAMS = [
    Param("scales", int, 0, "scales of the pyramid (0: as scale_factor gives from min_size)", min=0, max=16),
    Param("min_size", int, 25, "shorter side of the coarsest scale, px", min=8, max=512),
    Param("scale_factor", float, 0.75, "size ratio between scales when scales = 0", min=0.3, max=0.95),
    Param("width", int, 32, "channels of every stage's convolutions and of the critic", min=4, max=256),
    Param(
        "layers",
        int,
        5,
        "3x3 convolutions per stage (and in the critic); 5 reach half the coarsest scale",
        min=1,
        max=8,
    ),
    Param(
        "padding",
        str,
        "zeros",
        "zeros: every convolution zero-pads, the stages see the border and keep a picture's layout; "
        "reflect: the input mirrored once, no border to see (textures: no layout, no edge streaks)",
        choices=("zeros", "reflect"),
    ),
    Param("concurrent", int, 3, "stages trained at once, the newest and those below it (ConSinGAN)", min=1, max=16),
    Param("lr_scale", float, 0.1, "learning-rate factor per stage below the newest", min=0.0, max=1.0),
    Param("rec_weight", float, 10.0, "weight of the reconstruction loss (SinGAN's alpha)", min=0.0),
    Param("gp_weight", float, 0.1, "weight of the WGAN gradient penalty (SinGAN's lambda)", min=0.0),
    Param("repeats", int, 3, "critic steps, then generator steps, in each training step (SinGAN: 3)", min=1, max=10),
]
