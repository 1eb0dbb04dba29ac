"""Sampling a trained run: seeds and latents, the stylizer chain, animations, provenance in PNGs."""
