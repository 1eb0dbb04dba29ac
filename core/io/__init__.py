"""Files: images in and out, atomic writes, checkpoints, run folders, output formats."""
