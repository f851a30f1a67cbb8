"""Batch loaders for the source registries: declarative mappings interpreted by one engine."""
