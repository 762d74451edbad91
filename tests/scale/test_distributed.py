"""Data-parallel fine-tuning on Ray Train follows the single-process engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from supplymind.exceptions import ConfigurationError
from supplymind.forecasting.forecaster import Forecaster
from supplymind.forecasting.neural import Window, finetune_backbone, load_for_finetuning
from supplymind.scale.distributed import RayFinetuner
from supplymind.training.finetune import FinetuneConfig

from .conftest import TINY, demand

FAST = FinetuneConfig(
    mode="full",
    learning_rate=3e-3,
    max_steps=8,
    batch_size=16,
    eval_every=4,
    patience=10,
    dropout=0.0,
    num_threads=1,
)


def _fit(finetuner: RayFinetuner | None, work_dir: Path) -> Forecaster:
    forecaster = Forecaster(
        str(TINY),
        horizon=4,
        finetune_config=FAST,
        candidates=("zero_shot", "finetuned"),
        work_dir=work_dir,
        finetuner=finetuner,
    )
    return forecaster.fit(demand(n_items=40, seed=2, short=0), finetune="full")


def test_a_two_worker_finetune_matches_the_single_process_loss(
    ray_cluster: Any, tmp_path: Path
) -> None:
    single = _fit(None, tmp_path / "single")
    ray = _fit(RayFinetuner(num_workers=2), tmp_path / "ray")
    a, b = single.finetune_result_, ray.finetune_result_
    assert a is not None
    assert b is not None
    assert b["steps"] == a["steps"] == FAST.max_steps
    assert b["initial_val_loss"] == pytest.approx(a["initial_val_loss"], rel=1e-6)
    assert b["best_val_loss"] == pytest.approx(a["best_val_loss"], rel=0.02)
    # Worker 0 logged and checkpointed to the shared work folder; every training and
    # validation loss along the way follows the single-process run.
    assert (tmp_path / "ray" / "finetune-full" / "checkpoint" / "state.json").is_file()
    logs = [pd.read_csv(tmp_path / run / "finetune-full" / "log.csv") for run in ("single", "ray")]
    pd.testing.assert_frame_equal(logs[0][["step", "split"]], logs[1][["step", "split"]])
    # The logged training loss is the mean of the workers' batch means (masked targets make
    # it differ a little from the mean over the whole batch); validation runs on all of it.
    np.testing.assert_allclose(logs[1]["loss"], logs[0]["loss"], rtol=0.05)
    val = [log[log["split"] == "val"]["loss"] for log in logs]
    np.testing.assert_allclose(val[1], val[0], rtol=0.01)
    assert logs[1]["loss"].iloc[-1] != logs[1]["loss"].iloc[0]
    table = ray.predict(4)
    assert np.isfinite(table["mean"]).all()


def test_a_ray_run_resumes_from_the_checkpoint_of_an_interrupted_run(
    ray_cluster: Any, tmp_path: Path
) -> None:
    model = load_for_finetuning(TINY)
    rng = np.random.default_rng(0)
    t = np.arange(60)
    values = [10 + 5 * np.sin(t / 2 + k) + rng.normal(0, 0.5, t.size) for k in range(12)]
    args = (model, values, [48] * 12, [Window(i, 48) for i in range(12)], 8, FAST)
    whole = finetune_backbone(*args)
    interrupted = finetune_backbone(*args, out_dir=tmp_path, stop_after=4)
    assert interrupted.steps == 4
    resumed = RayFinetuner(num_workers=2)(*args, out_dir=tmp_path)
    assert resumed.steps == FAST.max_steps
    assert resumed.history[:5] == interrupted.history[:5]
    assert resumed.best_val_loss == pytest.approx(whole.best_val_loss, rel=0.02)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"num_workers": 0}, "num_workers"),
        ({"threads_per_worker": 0}, "threads_per_worker"),
        ({"max_failures": -1}, "max_failures"),
    ],
)
def test_ray_finetuner_rejects_bad_settings(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RayFinetuner(**changes)
