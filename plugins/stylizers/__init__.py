"""Built-in stylizers: post-processing of (B, C, H, W) images in [0, 1], batched, on any device."""
