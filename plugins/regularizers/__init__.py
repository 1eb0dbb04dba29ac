"""Built-in regularisers, composable with any loss: ``r1``, ``spectral-norm``, ``pack`` and ``instance-noise``."""

from ganvas import Param, hookimpl


@hookimpl
def register_regularizers(register):
    register(
        "r1",
        "ganvas.plugins.regularizers.penalties:R1",
        help="R1 penalty gamma/2 |grad D(x_real)|^2 (Mescheder et al. 2018), lazily every k steps, scaled by k",
        params=[
            Param("gamma", float, 10.0, "penalty weight", min=0.0),
            Param("every", int, 16, "apply every k steps (lazy regularisation, StyleGAN2)", min=1),
        ],
    )
    register(
        "spectral-norm",
        "ganvas.plugins.regularizers.spectral:SpectralNorm",
        aliases=["sn"],
        help="spectral normalisation of every conv/linear layer of D (Miyato et al. 2018)",
        params=[Param("iterations", int, 1, "power iterations per forward pass", min=1, max=10)],
    )
    register(
        "pack",
        "ganvas.plugins.regularizers.packing:Pack",
        help="PacGAN packing (Lin et al. 2018): D judges m samples at once, which exposes mode collapse",
        params=[Param("m", int, 2, "samples per packed discriminator input", min=2, max=16)],
    )
    register(
        "instance-noise",
        "ganvas.plugins.regularizers.noise:InstanceNoise",
        aliases=["noise"],
        help="Gaussian noise on D's inputs, real and generated, annealed to 0 (Sønderby et al. 2016)",
        params=[
            Param("sigma", float, 0.1, "noise std at the start, in data units", min=0.0),
            Param(
                "until",
                float,
                0.5,
                "fraction of training by which it falls linearly to 0 (0 = constant)",
                min=0.0,
                max=1.0,
            ),
            Param(
                "schedule",
                str,
                "linear",
                "how it falls: linear, or quadratic (sooner to the fine scales)",
                choices=("linear", "quadratic"),
            ),
        ],
    )
