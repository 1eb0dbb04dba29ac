"""Built-in corruptions for repair training (``[corrupt]``): ``noise``, ``downscale``, ``mask``, ``grayscale``, ``edges``."""

from ganvas import Param, hookimpl


@hookimpl
def register_corruptions(register):
    _register_pixel_damage(register)
    _register_lost_content(register)


def _register_pixel_damage(register):
    """Noise and lower resolution: every pixel is there, each a little wrong."""
    register(
        "noise",
        "ganvas.plugins.corruptions.ops:Noise",
        help="Gaussian noise (sigma in 0-255 units, one level or a range for blind denoising), then optionally JPEG",
        params=[
            Param("sigma", float, 25.0, "noise standard deviation, in 0-255 grey levels", min=0.0, max=255.0),
            Param(
                "sigma_min",
                float,
                -1.0,
                "with sigma_min >= 0 each picture's sigma is drawn from [sigma_min, sigma] (blind denoising); -1: always sigma",
                min=-1.0,
                max=255.0,
            ),
            Param("jpeg", int, 0, "JPEG quality the noisy picture is saved at (0: no JPEG)", min=0, max=100),
        ],
        aliases=["denoise"],
    )
    register(
        "downscale",
        "ganvas.plugins.corruptions.ops:Downscale",
        help="lower resolution (super-resolution): blurred, shrunk by factor with antialiasing and enlarged back (bicubic)",
        params=[
            Param("factor", int, 4, "how many times smaller the input is", choices=(2, 3, 4, 8)),
            Param(
                "blur",
                float,
                0.0,
                "extra Gaussian blur before shrinking, px of the full picture (0: none)",
                min=0.0,
                max=8.0,
            ),
            Param("noise", float, 0.0, "Gaussian noise added to the small picture, 0-255 levels", min=0.0, max=64.0),
        ],
        aliases=["superres", "super-resolution"],
    )


def _register_lost_content(register):
    """Holes, colour and the picture itself lost: the network has to invent what is missing."""
    register(
        "mask",
        "ganvas.plugins.corruptions.masks:Mask",
        help="holes to fill (inpainting): free-form brush strokes and boxes, LaMa-style, thin to thick",
        params=[
            Param("shapes", str, "both", "what the holes are", choices=("strokes", "boxes", "both")),
            Param("coverage", float, 0.25, "largest fraction of a picture the holes cover", min=0.01, max=0.9),
            Param(
                "width", float, 0.08, "widest stroke, as a fraction of the picture's shorter side", min=0.005, max=0.5
            ),
        ],
        aliases=["inpaint", "holes"],
    )
    register(
        "grayscale",
        "ganvas.plugins.corruptions.ops:Grayscale",
        help="colour taken away (colourising): the picture's luma (ITU-R 601) in every channel",
        aliases=["colorize", "colourise", "greyscale"],
    )
    register(
        "edges",
        "ganvas.plugins.corruptions.ops:Edges",
        help="a sketch of the picture (sketch to picture): dark lines on white where the luma changes",
        params=[
            Param(
                "threshold",
                float,
                0.12,
                "edge strength that draws a full line (smaller: more lines)",
                min=0.01,
                max=2.0,
            ),
            Param(
                "blur", float, 1.0, "Gaussian blur before finding edges, px (fewer, smoother lines)", min=0.0, max=8.0
            ),
            Param(
                "input",
                str,
                "sketch",
                "what ganvas restore is given: sketch (a drawing, used as it is) or picture (its edges are found first)",
                choices=("sketch", "picture"),
            ),
        ],
        aliases=["sketch"],
    )
