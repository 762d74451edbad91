"""The fine-tuning engine on the tiny time-series checkpoint: modes, copies, early stopping,
resume, adapters, logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from peft import PeftModel

from supplymind.exceptions import ConfigurationError
from supplymind.forecasting.neural import Window, WindowDataset, task_modules
from supplymind.models.backbone import SupplyMindTSModel
from supplymind.training.finetune import (
    FinetuneConfig,
    TaskModules,
    finetune,
    load_finetune_config,
    merge_adapters,
    no_fastpath,
)

TINY = Path(__file__).resolve().parents[1] / "models" / "data" / "tiny-supplymind-ts"


@pytest.fixture(scope="module")
def tiny() -> SupplyMindTSModel:
    model = SupplyMindTSModel.from_pretrained(TINY)
    model.eval()
    return model


def _data(seed: int = 0) -> tuple[WindowDataset, WindowDataset]:
    rng = np.random.default_rng(seed)
    t = np.arange(120)
    values = [
        10 + 5 * np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 0.5, t.size) for k in range(6)
    ]
    train = WindowDataset(values, [Window(i, o) for i in range(6) for o in range(20, 90, 3)], 64, 8)
    val = WindowDataset(values, [Window(i, 104) for i in range(6)], 64, 8)
    return train, val


def _state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


FAST = FinetuneConfig(max_steps=12, batch_size=8, eval_every=4, patience=10, learning_rate=3e-3)


@pytest.mark.parametrize("mode", ["full", "head", "lora", "ia3"])
def test_every_mode_trains_a_copy_and_leaves_the_pretrained_model_untouched(
    tiny: SupplyMindTSModel, mode: str
) -> None:
    before = _state(tiny)
    train, val = _data()
    result = finetune(tiny, train, val, FAST.replace(mode=mode), task_modules(tiny))
    after = _state(tiny)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert result.model is not tiny
    assert result.steps == 12
    assert result.best_val_loss <= result.initial_val_loss
    assert 0 < result.trainable_parameters <= result.total_parameters
    if mode == "head":
        head = sum(p.numel() for p in tiny.head.parameters())
        assert result.trainable_parameters == head
    if mode in ("lora", "ia3"):
        assert isinstance(result.model, PeftModel)
    else:
        assert result.trainable_parameters == result.total_parameters or mode == "head"


def test_full_finetuning_lowers_the_validation_loss(tiny: SupplyMindTSModel) -> None:
    train, val = _data()
    result = finetune(
        tiny, train, val, FAST.replace(max_steps=30, eval_every=5), task_modules(tiny)
    )
    assert result.improved
    assert result.best_val_loss < 0.9 * result.initial_val_loss


def test_same_seed_same_result_and_another_seed_differs(tiny: SupplyMindTSModel) -> None:
    train, val = _data()
    a = finetune(tiny, train, val, FAST, task_modules(tiny))
    b = finetune(tiny, train, val, FAST, task_modules(tiny))
    c = finetune(tiny, train, val, FAST.replace(seed=1), task_modules(tiny))
    sa, sb, sc = _state(a.model), _state(b.model), _state(c.model)
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert any(not torch.equal(sa[k], sc[k]) for k in sa)


def test_interrupted_run_resumes_to_the_same_model(tiny: SupplyMindTSModel, tmp_path: Path) -> None:
    train, val = _data()
    whole = finetune(tiny, train, val, FAST, task_modules(tiny), out_dir=tmp_path / "a")
    finetune(tiny, train, val, FAST, task_modules(tiny), out_dir=tmp_path / "b", stop_after=8)
    resumed = finetune(tiny, train, val, FAST, task_modules(tiny), out_dir=tmp_path / "b")
    sa, sb = _state(whole.model), _state(resumed.model)
    assert all(torch.allclose(sa[k], sb[k], atol=1e-6) for k in sa)
    assert resumed.best_step == whole.best_step
    log = (tmp_path / "b" / "log.csv").read_text().splitlines()
    assert log[0] == "step,split,loss,lr"
    assert sum(1 for line in log if ",train," in line) == 12
    assert any((tmp_path / "a" / "tensorboard").iterdir())


def test_resume_with_other_settings_is_refused(tiny: SupplyMindTSModel, tmp_path: Path) -> None:
    train, val = _data()
    finetune(tiny, train, val, FAST, task_modules(tiny), out_dir=tmp_path, stop_after=4)
    with pytest.raises(ConfigurationError, match="other settings"):
        finetune(
            tiny, train, val, FAST.replace(learning_rate=1e-3), task_modules(tiny), out_dir=tmp_path
        )


def test_early_stopping_keeps_the_pretrained_model_when_nothing_improves(
    tiny: SupplyMindTSModel,
) -> None:
    train, val = _data()
    # A learning rate this large only makes things worse: the best model is step 0.
    config = FAST.replace(learning_rate=5.0, patience=2, max_grad_norm=100.0, max_steps=40)
    result = finetune(tiny, train, val, config, task_modules(tiny))
    assert result.best_step == 0
    assert result.stopped_early
    assert result.steps < 40
    before, after = _state(tiny), _state(result.model)
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("mode", ["lora", "ia3"])
def test_adapters_save_as_peft_and_merge_to_the_same_forecasts(
    tiny: SupplyMindTSModel, tmp_path: Path, mode: str
) -> None:
    train, val = _data()
    result = finetune(tiny, train, val, FAST.replace(mode=mode), task_modules(tiny))
    result.model.save_pretrained(str(tmp_path))
    assert (tmp_path / "adapter_config.json").exists()
    assert (tmp_path / "adapter_model.safetensors").exists()
    batch = val[0]
    with torch.no_grad(), no_fastpath():
        adapted = result.model(context=batch["context"][None]).quantiles
    with torch.no_grad():
        merged = merge_adapters(result.model)
        assert isinstance(merged, SupplyMindTSModel)
        plain = merged(context=batch["context"][None]).quantiles
    assert torch.allclose(adapted, plain, atol=1e-5)
    if mode == "ia3":  # its head is saved with the merged model, not in the adapter
        return
    reloaded = PeftModel.from_pretrained(SupplyMindTSModel.from_pretrained(TINY), str(tmp_path))
    reloaded.eval()
    with torch.no_grad(), no_fastpath():
        again = reloaded(context=batch["context"][None]).quantiles
    assert torch.allclose(adapted, again, atol=1e-5)


def test_bf16_autocast_and_gradient_accumulation_run(tiny: SupplyMindTSModel) -> None:
    train, val = _data()
    result = finetune(
        tiny, train, val, FAST.replace(bf16=True, grad_accum=2, max_steps=4), task_modules(tiny)
    )
    assert np.isfinite(result.best_val_loss)


def test_the_thread_count_of_the_run_is_given_back(tiny: SupplyMindTSModel) -> None:
    before = torch.get_num_threads()
    wanted = 1 if before != 1 else 2
    train, val = _data()
    finetune(tiny, train, val, FAST.replace(num_threads=wanted, max_steps=2), task_modules(tiny))
    assert torch.get_num_threads() == before


def test_dropout_override_reaches_every_dropout(tiny: SupplyMindTSModel) -> None:
    train, val = _data()
    result = finetune(tiny, train, val, FAST.replace(dropout=0.3, max_steps=1), task_modules(tiny))
    rates = {m.p for m in result.model.modules() if isinstance(m, torch.nn.Dropout)}
    assert rates == {0.3}
    assert {m.p for m in tiny.modules() if isinstance(m, torch.nn.Dropout)} == {0.1}


@pytest.mark.parametrize("mode", ["head", "full"])
def test_head_mode_keeps_the_frozen_backbone_in_eval_mode_while_training(
    tiny: SupplyMindTSModel, mode: str
) -> None:
    train, val = _data()
    seen: list[tuple[bool, bool]] = []

    def loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if torch.is_grad_enabled():  # training steps, not the validation passes
            backbone = [m.training for n, m in model.named_modules() if "encoder." in n]
            head = [m.training for n, m in model.named_modules() if n.startswith("head")]
            seen.append((any(backbone), all(head)))
        out = model(**batch)
        return out.loss  # type: ignore[no-any-return]

    finetune(
        tiny, train, val, FAST.replace(mode=mode, max_steps=6, eval_every=3),
        task_modules(tiny), loss_fn=loss,
    )  # fmt: skip
    assert len(seen) == 6
    # head: dropout in the frozen encoder is off; full: every part trains, dropout on.
    assert seen == [(mode == "full", True)] * 6


def test_unknown_head_module_is_a_clear_error(tiny: SupplyMindTSModel) -> None:
    train, val = _data()
    with pytest.raises(ConfigurationError, match=r"modules \['classifier'\] not found"):
        finetune(tiny, train, val, FAST, TaskModules(head=("classifier",), adapter_targets=("x",)))


def test_empty_training_set_is_a_clear_error(tiny: SupplyMindTSModel) -> None:
    _, val = _data()
    empty = WindowDataset([], [], 64, 8)
    with pytest.raises(ConfigurationError, match="train: expected at least one example"):
        finetune(tiny, empty, val, FAST, task_modules(tiny))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mode": "prompt"}, "FinetuneConfig.mode"),
        ({"learning_rate": 0}, "FinetuneConfig.learning_rate"),
        ({"weight_decay": -1}, "FinetuneConfig.weight_decay"),
        ({"warmup_ratio": 1.0}, "FinetuneConfig.warmup_ratio"),
        ({"max_steps": 0}, "FinetuneConfig.max_steps"),
        ({"batch_size": 2.5}, "FinetuneConfig.batch_size"),
        ({"grad_accum": 0}, "FinetuneConfig.grad_accum"),
        ({"patience": 0}, "FinetuneConfig.patience"),
        ({"dropout": 1.0}, "FinetuneConfig.dropout"),
        ({"lora_r": 0}, "FinetuneConfig.lora_r"),
        ({"lora_dropout": -0.1}, "FinetuneConfig.lora_dropout"),
        ({"max_grad_norm": 0}, "FinetuneConfig.max_grad_norm"),
        ({"num_threads": 0}, "FinetuneConfig.num_threads"),
    ],
)
def test_config_rejects_bad_values(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FinetuneConfig(**change)  # type: ignore[arg-type]


def test_config_loads_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "ft.toml"
    path.write_text('mode = "lora"\nlearning_rate = 0.002\nmax_steps = 50\n')
    assert load_finetune_config(path) == FinetuneConfig(
        mode="lora", learning_rate=0.002, max_steps=50
    )
    path.write_text("epochs = 3\n")
    with pytest.raises(ConfigurationError, match=r"unknown keys \['epochs'\]"):
        load_finetune_config(path)


def test_a_data_parallel_group_of_one_equals_the_single_process_run(
    tiny: SupplyMindTSModel,
) -> None:
    from supplymind.training.finetune import DataParallel

    train, val = _data()
    alone = finetune(tiny, train, val, FAST, task_modules(tiny))
    group = finetune(tiny, train, val, FAST, task_modules(tiny), parallel=DataParallel(0, 1))
    assert group.history == alone.history
    assert all(
        torch.equal(a, b)
        for a, b in zip(alone.model.parameters(), group.model.parameters(), strict=True)
    )


@pytest.mark.parametrize("mode", ["full", "lora"])
def test_restore_trained_rebuilds_the_finetuned_model_from_its_trained_parameters(
    tiny: SupplyMindTSModel, mode: str
) -> None:
    from supplymind.training.finetune import restore_trained, trainable_state

    train, val = _data()
    config = FAST.replace(mode=mode)
    result = finetune(tiny, train, val, config, task_modules(tiny))
    rebuilt = restore_trained(tiny, config, task_modules(tiny), trainable_state(result.model))
    expected = result.model.state_dict()
    got = rebuilt.state_dict()
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)


@pytest.mark.parametrize(
    ("rank", "world_size", "message"),
    [(0, 0, "world_size"), (2, 2, "rank"), (-1, 2, "rank")],
)
def test_data_parallel_rejects_a_bad_place(rank: int, world_size: int, message: str) -> None:
    from supplymind.training.finetune import DataParallel

    with pytest.raises(ConfigurationError, match=message):
        DataParallel(rank, world_size)


def test_a_batch_smaller_than_the_group_is_rejected(tiny: SupplyMindTSModel) -> None:
    from supplymind.training.finetune import DataParallel

    train, val = _data()
    with pytest.raises(ConfigurationError, match="batch_size: expected at least the 4"):
        finetune(
            tiny,
            train,
            val,
            FAST.replace(batch_size=2),
            task_modules(tiny),
            parallel=DataParallel(0, 4),
        )
