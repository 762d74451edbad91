"""The unified supply-chain data model, its validation, the warehouse, ingest and datasets.

Submodules are imported directly (``from supplymind.data.warehouse import Warehouse``) so that
importing one does not load the others.
"""
