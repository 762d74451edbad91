from __future__ import annotations

from pathlib import Path

import pytest

from supplymind.files import atomic_path, atomic_write_text


def test_when_block_fails_then_target_keeps_its_old_content(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")

    def crash() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        crash()
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_when_block_succeeds_then_target_is_replaced_and_no_temp_is_left(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert list(target.parent.iterdir()) == [target]
