"""Drawing from a trained run: loading its drawer, rendering seeds, the stylizer chain, animations.

Public names are imported on first use (``from ganvas.drawing import load_run``).
"""

from ganvas._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "sampler": [
            "LoadedRun",
            "load_run",
            "finish_images",
            "render_latents",
            "write_images",
            "drawn_recipe",
            "scale_options",
        ],
        "canvas": ["canvas_of", "fit_canvas", "check_canvas_budget", "check_drawable"],
        "stylize": ["parse_chain", "build_chain", "run_chain", "chain_toml", "chain_files"],
        "restore": ["restore_image", "fit_channels", "check_translates"],
        "tiles": ["tiled", "ensembled", "tile_starts", "DEFAULT_TILE", "DEFAULT_OVERLAP"],
        "animate": ["slerp", "walk_latents", "latent_walk", "timelapse_frames", "save_animation"],
    },
    globals(),
)
