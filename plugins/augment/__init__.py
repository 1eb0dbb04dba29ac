"""Built-in differentiable augmentations for discriminator inputs."""
