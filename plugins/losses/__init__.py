"""Built-in GAN losses: ``minimax``, ``nonsaturating`` (the default) and ``lsgan``."""

from ganvas import hookimpl


@hookimpl
def register_losses(register):
    register("minimax", "ganvas.plugins.losses.classic:Minimax",
             help="the original saturating objective: G minimises log(1 - D(G(z)))")
    register("nonsaturating", "ganvas.plugins.losses.classic:NonSaturating", aliases=["ns"],
             help="G maximises log D(G(z)) (Goodfellow et al. 2014): strong early gradients; the default")
    register("lsgan", "ganvas.plugins.losses.classic:LeastSquares", aliases=["least-squares"],
             help="least squares (Mao et al. 2017): D regresses real to 1 and fake to 0")
