"""Built-in GAN losses: classic (minimax, nonsaturating, lsgan), Wasserstein (wgan, wgan-gp),
hinge and relativistic."""

from ganvas import Param, hookimpl


@hookimpl
def register_losses(register):
    register(
        "minimax",
        "ganvas.plugins.losses.classic:Minimax",
        help="the original saturating objective: G minimises log(1 - D(G(z)))",
    )
    register(
        "nonsaturating",
        "ganvas.plugins.losses.classic:NonSaturating",
        aliases=["ns"],
        help="G maximises log D(G(z)) (Goodfellow et al. 2014): strong early gradients; the default",
    )
    register(
        "lsgan",
        "ganvas.plugins.losses.classic:LeastSquares",
        aliases=["least-squares"],
        help="least squares (Mao et al. 2017): D regresses real to 1 and fake to 0",
    )
    register(
        "hinge",
        "ganvas.plugins.losses.hinge:Hinge",
        help="hinge loss (Lim & Ye 2017; SNGAN, BigGAN): D margins of 1, G raises D(G(z))",
    )
    register(
        "relativistic",
        "ganvas.plugins.losses.hinge:Relativistic",
        aliases=["rpgan"],
        help="relativistic pairing (Jolicoeur-Martineau 2019): D judges real minus fake",
    )
    register(
        "wgan",
        "ganvas.plugins.losses.wasserstein:WGAN",
        help="Wasserstein critic with weight clipping (Arjovsky et al. 2017); n_critic 5, RMSprop, use lr 5e-5",
        params=[Param("clip", float, 0.01, "critic weights are clipped to [-clip, clip]", min=0.0)],
    )
    register(
        "wgan-gp",
        "ganvas.plugins.losses.wasserstein:WGANGP",
        help="Wasserstein critic with gradient penalty (Gulrajani et al. 2017); n_critic 5",
        params=[
            Param("gp", float, 10.0, "penalty weight lambda on (|grad D(x_hat)| - 1)^2", min=0.0),
            Param("drift", float, 0.001, "epsilon * D(x)^2 keeps critic values near 0 (ProGAN)", min=0.0),
        ],
    )
