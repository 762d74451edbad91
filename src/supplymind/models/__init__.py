"""Backbones, task heads and the model registry.

Submodules are imported directly (``from supplymind.models.backbone import
SupplyMindTSModel``) so that importing one does not load torch-heavy others.
"""
