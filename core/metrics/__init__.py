"""Metrics that judge generated samples (no pretrained networks)."""
