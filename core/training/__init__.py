"""Training: the method-agnostic loop, the method contract, and the parts methods are built from
(adversarial component base classes, EMA, augmentation pipeline and ADA, progress, stats)."""

from ganvas.training.components import (
    Augment,
    LogitLoss,
    Loss,
    Networks,
    PhaseResult,
    Regularizer,
    build_networks,
    generate,
    identity,
)
from ganvas.training.conditional import LabelBound, class_latents, one_hot, select_classes
from ganvas.training.corruption import Corruption, build_corruption, corrupt, prepare
from ganvas.training.distributed import World
from ganvas.training.distributed import current as current_world
from ganvas.training.ema import EMA
from ganvas.training.loop import Trainer, TrainingDiverged, TrainingInterrupted, build_dataset, build_method
from ganvas.training.method import RECIPE_SECTIONS, DrawContext, Drawer, GeneratorDrawer, Method, TrainContext
from ganvas.training.speed import Speed, full_precision, optimizer_step

__all__ = [
    "Augment",
    "LogitLoss",
    "Loss",
    "Networks",
    "PhaseResult",
    "Regularizer",
    "build_networks",
    "generate",
    "identity",
    "Corruption",
    "build_corruption",
    "corrupt",
    "prepare",
    "LabelBound",
    "class_latents",
    "one_hot",
    "select_classes",
    "EMA",
    "World",
    "current_world",
    "Trainer",
    "TrainingDiverged",
    "TrainingInterrupted",
    "build_dataset",
    "build_method",
    "RECIPE_SECTIONS",
    "DrawContext",
    "Drawer",
    "GeneratorDrawer",
    "Method",
    "TrainContext",
    "Speed",
    "full_precision",
    "optimizer_step",
]
