"""Adapters that put each backbone family behind the common interface.

One module per family (``supplymind``, ``fracast``, ``chronos``, ``timesfm``); each imports
its third-party package only when its loader runs. Load backbones through
:func:`supplymind.models.registry.load_backbone` rather than from here.
"""
