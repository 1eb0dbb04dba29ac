"""File formats ganvas reads, kept free of heavy imports so the command line starts fast."""

#: Image files ganvas reads (datasets, ``ganvas stylize``); it writes PNG.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")

#: How saved pictures are enlarged: crisp pixels, or smoothly.
RESAMPLE = ("nearest", "bicubic", "lanczos")

#: Animation formats ganvas writes and their file suffixes (an animated PNG is a ``.png``).
ANIMATION_SUFFIXES = {"gif": ".gif", "apng": ".png", "mp4": ".mp4"}
