"""Connecting to Ray: an optional dependency, imported only when asked for."""

from __future__ import annotations

import importlib
from typing import Any

from supplymind.exceptions import ConfigurationError, MissingDependencyError

__all__ = ["INSTALL_HINT", "LOCAL", "connect", "import_ray"]

INSTALL_HINT = 'pip install "ray[data,train]>=2.40"'
#: ``--ray local``: start a cluster on this machine for the run.
LOCAL = "local"


def import_ray(module: str = "ray") -> Any:
    """``ray`` (or one of its modules), or :class:`MissingDependencyError` with the install
    hint."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"--ray: running on Ray needs the ray package ({module} is missing): {INSTALL_HINT}"
        ) from exc


def connect(address: str, *, num_cpus: int | None = None) -> Any:
    """Connect to (or start) a Ray cluster; a running connection is reused.

    Parameters
    ----------
    address
        ``"local"`` starts a cluster in this process's machine (``num_cpus`` CPUs, default
        all); ``"auto"`` joins the cluster started on this machine by ``ray start``; else
        a cluster address such as ``"ray://head:10001"`` or ``"10.0.0.1:6379"``.
    num_cpus
        CPUs of a local cluster.

    Returns
    -------
    module
        The ``ray`` module, initialised.
    """
    if not isinstance(address, str) or not address.strip():
        raise ConfigurationError(
            f"--ray: expected 'local', 'auto' or a cluster address, found {address!r}"
        )
    ray = import_ray()
    if ray.is_initialized():
        return ray
    if address == LOCAL:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(address=address, log_to_driver=False)
    return ray
