"""Built-in regularisers, composable with any loss: ``r1``, ``spectral-norm`` and ``pack``."""

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
