"""The gallery's recipes, shipped with ganvas so `ganvas run NAME` works from any folder."""
