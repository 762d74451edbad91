"""SupplyMind: supply-chain data to decisions with pretrained, fine-tuned models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("supplymind")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
