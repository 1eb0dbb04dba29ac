"""File formats ganvas reads, kept free of heavy imports so the command line starts fast."""

#: Image files ganvas reads (datasets, ``ganvas stylize``); it writes PNG.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
