"""Augmentation of discriminator inputs: the per-image-p pipeline and the ADA controller.

The ops themselves are components (``register_augmentations``); the built-in ones live in
``ganvas.plugins.augment``.
"""

from ganvas.training.augment.ada import AdaController
from ganvas.training.augment.pipeline import AugmentPipeline, Op, build_pipeline, parse_policy

__all__ = ["AdaController", "AugmentPipeline", "Op", "build_pipeline", "parse_policy"]
