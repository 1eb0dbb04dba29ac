"""Training: the method-agnostic loop, component base classes, progress display."""
