"""Files: images in and out, PNG provenance, atomic writes, checkpoints, run folders, formats.

Public names are imported on first use (``from ganvas.io import save_png``).
"""

from ganvas._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "images": [
            "open_image",
            "square_resize",
            "pil_to_tensor",
            "to_uint8",
            "make_grid",
            "render_points",
            "save_png",
            "read_png_text",
            "RESAMPLE_FILTERS",
            "UNREADABLE_IMAGE_ERRORS",
        ],
        "provenance": [
            "Provenance",
            "read_provenance",
            "looks_like_image",
            "image_metadata",
            "file_record",
            "FILES_KEY",
        ],
        "files": ["atomic_write", "write_text_atomic"],
        "batch": ["plan_outputs", "read_image", "write_image", "images_in", "check_existing", "unreadable_summary"],
        "checkpoint": [
            "save_checkpoint",
            "load_checkpoint",
            "list_checkpoints",
            "prune_checkpoints",
            "checkpoint_path",
        ],
        "runs": [
            "runs_root",
            "create_run_dir",
            "find_run",
            "list_runs",
            "unique_path",
            "newest_checkpoint",
            "RECIPE_FILE",
            "STATS_FILE",
        ],
        "formats": ["RESAMPLE", "IMAGE_SUFFIXES", "ANIMATION_SUFFIXES"],
        "status": ["STATUS_FILE", "STATES", "write_status", "read_status", "run_state"],
    },
    globals(),
)
