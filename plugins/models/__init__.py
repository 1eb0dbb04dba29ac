"""Built-in architectures: ``mlp`` (dense, for points and small images) and ``dcgan``."""

from ganvas import Param, hookimpl


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
    )
    register(
        "dcgan",
        "ganvas.plugins.models.dcgan:build",
        help="DCGAN: transposed-conv generator, strided-conv discriminator, batch norm, LeakyReLU",
        params=[
            Param("z_dim", int, 100, "size of the latent noise vector", min=1, max=4096),
            Param("width", int, 64, "channels of the widest-resolution layer (ngf = ndf)", min=4, max=1024),
            Param("max_width", int, 512, "cap on channels in the deepest layers", min=4, max=4096),
        ],
    )
