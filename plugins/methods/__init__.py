"""Built-in training methods, registered through the same hook a third-party plugin uses."""

from ganvas import Param, hookimpl


@hookimpl
def register_methods(register):
    register(
        "gan",
        "ganvas.plugins.methods.gan:GanMethod",
        help="unconditional GAN on a set of images or points: n_critic D phases, one G phase, EMA of G",
        params=[
            Param("n_critic", int, 0, "D phases per G phase; 0 takes the loss's own default (wgan: 5)", min=0),
            Param(
                "collapse_watch",
                bool,
                True,
                "log Collapse/diversity of fixed samples and warn once when it falls sharply",
            ),
        ],
        aliases=["unconditional"],
    )
