"""Ray is optional: asking for it without it installed names the package to install."""

from __future__ import annotations

import sys

import pytest

from supplymind.exceptions import ConfigurationError, MissingDependencyError
from supplymind.scale.cluster import connect


def test_when_ray_is_missing_then_connect_names_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependencyError, match=r"pip install \"ray\[data,train\]"):
        connect("local")


@pytest.mark.parametrize("address", ["", "  "])
def test_connect_rejects_an_empty_address(address: str) -> None:
    with pytest.raises(ConfigurationError, match="--ray: expected 'local', 'auto'"):
        connect(address)
