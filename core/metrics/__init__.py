"""Metrics that judge generated samples, with no pretrained networks (imported on first use)."""

from ganvas._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "swd": ["laplacian_pyramid", "laplacian_swd", "swd_report", "sliced_wasserstein"],
        "diversity": ["mean_pairwise_distance", "diversity_features", "CollapseWatch"],
        "modes": ["ModeStats", "mode_stats", "mixture", "PUBLISHED"],
    },
    globals(),
)
