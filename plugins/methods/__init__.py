"""Built-in training methods (``gan``, ``pyramid``, ``pix2pix``, ``cycle``), registered through the same hook a third-party plugin uses."""

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
                '"subfolders"; a conditional architecture: dcgan or cppn); sample with --class NAME',
            ),
            Param(
                "class_loss",
                float,
                0.0,
                "weight of an auxiliary class loss (AC-GAN): the projection discriminator also classifies "
                "real and generated images, and G is trained to draw the asked class; 0: off",
                min=0.0,
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
    register(
        "pix2pix",
        "ganvas.plugins.methods.pix2pix:Pix2PixMethod",
        help="repair pictures (denoise, super-resolve, inpaint, colourise, sketch to picture): pairs made by [corrupt], "
        "a U-Net, a PatchGAN critic, L1 + adversarial (+ perceptual) losses; ganvas restore RUN IMAGE",
        params=_PIX2PIX_PARAMS,
        aliases=["repair", "paired"],
    )
    register(
        "cycle",
        "ganvas.plugins.methods.cycle:CycleMethod",
        help="restyle pictures without pairs (CycleGAN): [data] into the style of method.target and back, two U-Nets, "
        "two PatchGAN critics, cycle + identity losses; ganvas restore RUN IMAGE",
        params=_CYCLE_PARAMS,
        aliases=["cyclegan", "restyle"],
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


_PIX2PIX_PARAMS = [
    Param(
        "crop",
        int,
        64,
        "side of the random training crops, px (0: whole pictures); the network works on any size",
        min=0,
        max=1024,
    ),
    Param("width", int, 32, "channels of the U-Net's finest level (doubling per level, at most 256)", min=4, max=256),
    Param("depth", int, 3, "halvings in the U-Net (its reach grows with it)", min=1, max=6),
    Param("d_width", int, 64, "channels of the PatchGAN critic's first layer", min=4, max=512),
    Param("l1", float, 100.0, "weight of the L1 distance to the clean picture (pix2pix: 100)", min=0.0),
    Param(
        "adversarial", float, 1.0, "weight of the GAN loss (0: no critic, plain regression: the highest PSNR)", min=0.0
    ),
    Param(
        "perceptual",
        float,
        0.0,
        "weight of the distance between random-weight CNN features (no pretrained weights)",
        min=0.0,
    ),
    Param("gan_loss", str, "lsgan", "the critic's loss", choices=("lsgan", "bce", "hinge")),
    Param(
        "holdout",
        int,
        4,
        "pictures spread evenly over the data set, kept out of training (sample grids, PSNR/model)",
        min=0,
        max=64,
    ),
]


_CYCLE_PARAMS = [
    Param(
        "target",
        str,
        None,
        "the style to learn (domain B): a data source as in data.source, e.g. texture:marble, procedural:mondrian, "
        "folder:PATH; made at [data]'s size and channels",
        required=True,
    ),
    Param(
        "target_count",
        int,
        0,
        "pictures of target to make when its dataset takes a count (0: as many as [data])",
        min=0,
        max=200_000,
    ),
    Param(
        "crop",
        int,
        64,
        "side of the random training crops, px (0: whole pictures); the networks work on any size",
        min=0,
        max=1024,
    ),
    Param("width", int, 32, "channels of each U-Net's finest level (doubling per level, at most 256)", min=4, max=256),
    Param("depth", int, 3, "halvings in each U-Net (its reach grows with it)", min=1, max=6),
    Param("d_width", int, 64, "channels of each PatchGAN critic's first layer", min=4, max=512),
    Param(
        "d_layers",
        int,
        0,
        "strided layers of each critic (0: as the crop allows, 3 = 70-px patches from 64 px; needs 3 * 2**d_layers px)",
        min=0,
        max=5,
    ),
    Param("cycle", float, 10.0, "weight of the cycle loss: A->B->A gives A back (CycleGAN's lambda = 10)", min=0.0),
    Param(
        "identity",
        float,
        5.0,
        "weight of the identity loss: a B picture through A->B stays itself (0.5 lambda)",
        min=0.0,
    ),
    Param("gan_loss", str, "lsgan", "the critics' loss (CycleGAN: lsgan)", choices=("lsgan", "bce", "hinge")),
    Param(
        "pool",
        int,
        50,
        "translated pictures kept per direction to show the critics (0: only the newest)",
        min=0,
        max=1000,
    ),
    Param(
        "holdout",
        int,
        8,
        "pictures of [data], spread evenly, kept out of training (sample grids, SWD/translated; 0: none)",
        min=0,
        max=64,
    ),
]
