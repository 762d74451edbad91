"""Late-delivery risk with gradient boosting: probability, expected delay, reasons.

:class:`GradientBoostingDelayModel` is a hurdle model on the features of
:mod:`~supplymind.risk.delay.features`:

- a LightGBM classifier gives the probability of arriving late. It is trained on the
  earlier ``1 - calibration_share`` of the shipments (by promised date) with early
  stopping on the later part, its probabilities are calibrated on that later part (Platt
  or isotonic, :mod:`~supplymind.risk.delay.calibration`), and by default it is trained
  again on all shipments for the number of rounds found;
- a LightGBM regressor gives the delay of a late shipment (days); the expected delay is
  ``p_late x delay_if_late`` (with too few late shipments, their mean delay);
- each prediction's log-odds are split into feature contributions (TreeSHAP) and the
  largest are put into words.

Saved without pickle: the boosters in LightGBM's text format, a JSON config (features,
category levels, calibrator, parameters, training summary), the delivery outcomes the
recent-performance features are computed from (CSV) and a model card.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from supplymind.exceptions import RiskInputError, RiskWarning
from supplymind.files import atomic_path, atomic_write_text
from supplymind.risk.delay.base import CONFIG_FILE, PREDICTION_COLUMNS
from supplymind.risk.delay.calibration import (
    CALIBRATIONS,
    Calibrator,
    brier_score,
    calibrator_from_dict,
    expected_calibration_error,
    make_calibrator,
)
from supplymind.risk.delay.data import CATEGORICAL_COLUMNS, check_shipments, delay_days
from supplymind.risk.delay.explain import explanation_text, top_factors
from supplymind.risk.delay.features import (
    FeatureSpec,
    OutcomeHistory,
    as_of_times,
    build_features,
    open_at_assessment,
    outcome_frame,
)

__all__ = ["DelayModelParams", "GradientBoostingDelayModel"]

FORMAT_VERSION = 1
_CLASSIFIER_FILE = "classifier.txt"
_REGRESSOR_FILE = "delay_regressor.txt"
_HISTORY_FILE = "history.csv"
_CARD_FILE = "README.md"
_MIN_LATE_FOR_REGRESSOR = 30


@dataclass(frozen=True)
class DelayModelParams:
    """Training settings of :class:`GradientBoostingDelayModel`.

    Parameters
    ----------
    n_estimators
        Most boosting rounds (early stopping picks fewer).
    learning_rate, num_leaves, min_child_samples, feature_fraction, bagging_fraction,
    lambda_l2, cat_smooth, min_data_per_group
        LightGBM's tree settings (the last two regularise splits on categories).
    early_stopping_rounds
        Rounds without improvement on the calibration part before stopping.
    calibration
        ``"sigmoid"`` (Platt), ``"isotonic"`` or ``"none"``.
    calibration_share
        Latest share of the shipments held out for early stopping and calibration.
    refit_full
        Train again on all shipments with the rounds found (the calibrator is kept).
    half_life_days
        Weigh each training shipment by ``0.5 ** (age / half_life_days)``, its age counted
        from the latest promised date, so recent behaviour counts more (``None``: equal
        weights).
    num_threads
        LightGBM threads (0: all cores).
    seed
        Seed of the bagging and feature sampling.
    """

    n_estimators: int = 2000
    learning_rate: float = 0.01
    num_leaves: int = 7
    min_child_samples: int = 20
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    cat_smooth: float = 10.0
    min_data_per_group: int = 20
    early_stopping_rounds: int = 100
    calibration: str = "sigmoid"
    calibration_share: float = 0.2
    refit_full: bool = True
    half_life_days: float | None = None
    num_threads: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        owner = "DelayModelParams"
        ints = {
            "n_estimators": 1,
            "num_leaves": 2,
            "min_child_samples": 1,
            "min_data_per_group": 1,
            "early_stopping_rounds": 1,
            "num_threads": 0,
            "seed": 0,
        }
        for name, minimum in ints.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise RiskInputError(
                    f"{owner}.{name}: expected an integer >= {minimum}, found {value!r}"
                )
        for name, lo, hi in (
            ("learning_rate", 0.0, 1.0),
            ("feature_fraction", 0.0, 1.0),
            ("bagging_fraction", 0.0, 1.0),
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not lo < value <= hi
            ):
                raise RiskInputError(
                    f"{owner}.{name}: expected a number in ({lo:g}, {hi:g}], found {value!r}"
                )
        for name in ("lambda_l2", "cat_smooth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise RiskInputError(f"{owner}.{name}: expected a number >= 0, found {value!r}")
        if self.calibration not in CALIBRATIONS:
            raise RiskInputError(
                f"{owner}.calibration: expected one of {list(CALIBRATIONS)}, found "
                f"{self.calibration!r}"
            )
        hl = self.half_life_days
        if hl is not None and (
            isinstance(hl, bool) or not isinstance(hl, int | float) or not hl > 0
        ):
            raise RiskInputError(f"{owner}.half_life_days: expected days > 0 or None, found {hl!r}")
        share = self.calibration_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 < share < 0.9:
            raise RiskInputError(
                f"{owner}.calibration_share: expected a number in (0, 0.9), found {share!r}"
            )

    def lightgbm(self, objective: str) -> dict[str, Any]:
        """LightGBM parameters for ``objective``."""
        return {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1 else 0,
            "lambda_l2": self.lambda_l2,
            "num_threads": self.num_threads,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
            "cat_smooth": self.cat_smooth,
            "min_data_per_group": self.min_data_per_group,
        }


def _spec_to_dict(spec: FeatureSpec) -> dict[str, Any]:
    data = asdict(spec)
    data["categorical"] = list(spec.categorical)
    data["numeric"] = list(spec.numeric)
    return data


def _known(cls: type, data: dict[str, Any], where: str) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        warnings.warn(f"{where}: ignoring unknown keys {unknown}", RiskWarning, stacklevel=3)
    return {k: v for k, v in data.items() if k in names}


class GradientBoostingDelayModel:
    """LightGBM late-delivery model (see the module docs).

    Parameters
    ----------
    spec
        Feature settings; the default uses the standard shipment columns.
    params
        Training settings.
    """

    kind = "lightgbm"

    def __init__(
        self, spec: FeatureSpec | None = None, params: DelayModelParams | None = None
    ) -> None:
        self.spec = spec or FeatureSpec()
        self.params = params or DelayModelParams()
        if not isinstance(self.spec, FeatureSpec):
            raise RiskInputError(f"spec: expected a FeatureSpec, found {self.spec!r}")
        if not isinstance(self.params, DelayModelParams):
            raise RiskInputError(f"params: expected DelayModelParams, found {self.params!r}")

    # --- training ----------------------------------------------------------------------

    def _check(self, shipments: pd.DataFrame, *, require_outcome: bool) -> pd.DataFrame:
        extra = [c for c in self.spec.categorical if c not in CATEGORICAL_COLUMNS]
        return check_shipments(
            shipments,
            require_outcome=require_outcome,
            categorical=extra,
            numeric=self.spec.numeric,
        )

    def fit(self, shipments: pd.DataFrame) -> Self:
        """Train on delivered shipments (every row needs ``delivered_at``).

        Every shipment's outcome feeds the recent-performance features; the examples are
        the shipments still undelivered at their as-of time (see
        :func:`~supplymind.risk.delay.features.open_at_assessment`).
        """
        import lightgbm as lgb

        data = self._check(shipments, require_outcome=True)
        p = self.params
        # Category columns with no value at all carry nothing: leave them out.
        used = tuple(c for c in self.spec.categorical if data[c].notna().any())
        self.spec_ = FeatureSpec(
            categorical=used,
            numeric=self.spec.numeric,
            window=self.spec.window,
            prior_strength=self.spec.prior_strength,
            notice_days=self.spec.notice_days,
            tolerance_days=self.spec.tolerance_days,
        )
        outcomes = outcome_frame(data, self.spec.tolerance_days)
        outcomes.insert(
            0, "order_id", data.loc[data["delivered_at"].notna(), "order_id"].to_numpy()
        )
        self.history_ = OutcomeHistory(
            outcomes, window=self.spec.window, prior_strength=self.spec.prior_strength
        )
        assessable = open_at_assessment(data, self.spec_).to_numpy()
        skipped = int((~assessable).sum())
        data = data[assessable].reset_index(drop=True)
        X = build_features(data, self.history_, self.spec_)
        self.categories_ = {c: list(X[c].cat.categories) for c in used}
        self.features_ = list(X.columns)
        delay = delay_days(data).to_numpy(np.float64)
        y = (delay > self.spec.tolerance_days).astype(np.float64)
        n_late = int(y.sum())
        if n_late < 5 or n_late > len(y) - 5:
            raise RiskInputError(
                "shipments: expected at least 5 late and 5 on-time deliveries to learn from, "
                f"found {n_late} late of {len(y)}"
            )
        order = np.argsort(data["promised_at"].to_numpy("datetime64[ns]"), kind="stable")
        n_cal = max(1, round(p.calibration_share * len(y)))
        fit_idx, cal_idx = order[:-n_cal], order[-n_cal:]
        if y[cal_idx].min() == y[cal_idx].max() or y[fit_idx].min() == y[fit_idx].max():
            raise RiskInputError(
                "shipments: expected late and on-time deliveries both before and after the "
                f"calibration cut (latest {p.calibration_share:.0%} by promised date), found one "
                "class only on one side; give a longer history or change calibration_share"
            )
        params = p.lightgbm("binary")
        weight = np.ones(len(y))
        if p.half_life_days is not None:
            due = data["promised_at"]
            age = ((due.max() - due).dt.total_seconds() / 86_400.0).to_numpy(np.float64)
            weight = 0.5 ** (age / p.half_life_days)
        train = lgb.Dataset(
            X.iloc[fit_idx],
            y[fit_idx],
            weight=weight[fit_idx],
            categorical_feature=list(used),
            free_raw_data=False,
        )
        valid = lgb.Dataset(X.iloc[cal_idx], y[cal_idx], reference=train)
        booster = lgb.train(
            params,
            train,
            num_boost_round=p.n_estimators,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(p.early_stopping_rounds, verbose=False)],
        )
        self.n_rounds_ = max(1, int(booster.best_iteration or booster.current_iteration()))
        cal_logit = booster.predict(X.iloc[cal_idx], num_iteration=self.n_rounds_, raw_score=True)
        self.calibrator_: Calibrator = make_calibrator(p.calibration).fit(cal_logit, y[cal_idx])
        p_cal = self.calibrator_.transform(cal_logit)
        self.validation_ = _metrics(y[cal_idx], p_cal, np.asarray(cal_logit))
        if p.refit_full:
            full = lgb.Dataset(
                X, y, weight=weight, categorical_feature=list(used), free_raw_data=False
            )
            booster = lgb.train(params, full, num_boost_round=self.n_rounds_)
        self.booster_ = booster
        self._fit_delay(X, delay, y, fit_idx, cal_idx)
        self.base_rate_ = float(y.mean())
        self.training_ = {
            "shipments": len(y),
            "late": n_late,
            "late_rate": self.base_rate_,
            "first_promised": str(data["promised_at"].min()),
            "last_promised": str(data["promised_at"].max()),
            "delivered_before_assessment": skipped,
            "calibration_rows": int(n_cal),
            "rounds": self.n_rounds_,
        }
        return self

    def _fit_delay(
        self,
        X: pd.DataFrame,
        delay: np.ndarray,
        y: np.ndarray,
        fit_idx: np.ndarray,
        cal_idx: np.ndarray,
    ) -> None:
        import lightgbm as lgb

        late = y > 0
        self.delay_constant_ = float(delay[late].mean())
        self.regressor_: Any = None
        if late.sum() < _MIN_LATE_FOR_REGRESSOR:
            warnings.warn(
                f"shipments: only {int(late.sum())} late deliveries (fewer than "
                f"{_MIN_LATE_FOR_REGRESSOR}); the delay of a late shipment is their mean "
                f"({self.delay_constant_:.1f} days)",
                RiskWarning,
                stacklevel=3,
            )
            return
        p = self.params
        params = p.lightgbm("regression") | {"num_leaves": min(p.num_leaves, 7)}
        fit_late = fit_idx[late[fit_idx]]
        cal_late = cal_idx[late[cal_idx]]
        cats = list(self.spec_.categorical)
        rounds = 200
        if cal_late.size >= 10 and fit_late.size >= 10:
            train = lgb.Dataset(
                X.iloc[fit_late], delay[fit_late], categorical_feature=cats, free_raw_data=False
            )
            valid = lgb.Dataset(X.iloc[cal_late], delay[cal_late], reference=train)
            reg = lgb.train(
                params,
                train,
                num_boost_round=p.n_estimators,
                valid_sets=[valid],
                callbacks=[lgb.early_stopping(p.early_stopping_rounds, verbose=False)],
            )
            rounds = max(1, int(reg.best_iteration or reg.current_iteration()))
        rows = np.flatnonzero(late)
        full = lgb.Dataset(X.iloc[rows], delay[rows], categorical_feature=cats, free_raw_data=False)
        self.regressor_ = lgb.train(params, full, num_boost_round=rounds)

    # --- prediction --------------------------------------------------------------------

    def _require_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise RiskInputError("model: expected a fitted model (call fit or load), found none")

    def _features(
        self, shipments: pd.DataFrame, now: pd.Timestamp | None, history: pd.DataFrame | None
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        self._require_fitted()
        data = self._check(shipments, require_outcome=False)
        store = self.history_
        if history is not None:
            extra = self._check(history, require_outcome=False)
            new = outcome_frame(extra, self.spec.tolerance_days)
            new.insert(
                0, "order_id", extra.loc[extra["delivered_at"].notna(), "order_id"].to_numpy()
            )
            merged = pd.concat([store.outcomes, new], ignore_index=True)
            merged = merged.drop_duplicates("order_id", keep="last")
            store = OutcomeHistory(
                merged, window=self.spec.window, prior_strength=self.spec.prior_strength
            )
        X = build_features(data, store, self.spec_, categories=self.categories_, now=now)
        return data, X[self.features_]

    def predict(
        self,
        shipments: pd.DataFrame,
        *,
        now: pd.Timestamp | None = None,
        history: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Probability of arriving late and expected delay of each shipment.

        Parameters
        ----------
        shipments
            Shipments to assess (``delivered_at`` not needed).
        now
            Assess every shipment at this time (recent performance up to it); default each
            shipment's as-of time (its order time, else ``notice_days`` before the promise).
        history
            More delivered shipments for the recent-performance features, added to those
            the model was trained on.

        Returns
        -------
        pandas.DataFrame
            :data:`~supplymind.risk.delay.base.PREDICTION_COLUMNS`.
        """
        data, X = self._features(shipments, now, history)
        return self._predict_frame(data, X, now)

    def _predict_frame(
        self, data: pd.DataFrame, X: pd.DataFrame, now: pd.Timestamp | None
    ) -> pd.DataFrame:
        logit = np.asarray(self.booster_.predict(X, raw_score=True), dtype=np.float64)
        p_late = self.calibrator_.transform(logit)
        if self.regressor_ is not None:
            if_late = np.asarray(self.regressor_.predict(X), dtype=np.float64)
            if_late = np.clip(if_late, 1e-3, None)
        else:
            if_late = np.full(len(X), self.delay_constant_)
        out = pd.DataFrame(
            {
                "order_id": data["order_id"].to_numpy(),
                "supplier_id": data["supplier_id"].to_numpy(),
                "promised_at": data["promised_at"].to_numpy(),
                "as_of": as_of_times(data, self.spec_, now).to_numpy(),
                "p_late": p_late,
                "delay_if_late_days": if_late,
                "expected_delay_days": p_late * if_late,
            }
        )
        return out[list(PREDICTION_COLUMNS)]

    def contributions(
        self, shipments: pd.DataFrame, *, now: pd.Timestamp | None = None
    ) -> pd.DataFrame:
        """Each feature's contribution to each shipment's log-odds of arriving late
        (TreeSHAP), plus ``bias``; a row sums to the model's raw log-odds."""
        _, X = self._features(shipments, now, None)
        contrib = np.asarray(self.booster_.predict(X, pred_contrib=True), dtype=np.float64)
        return pd.DataFrame(contrib, columns=[*self.features_, "bias"], index=X.index)

    def explain(
        self,
        shipments: pd.DataFrame,
        *,
        top: int = 3,
        now: pd.Timestamp | None = None,
        history: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Predictions with the ``top`` factors that raised and lowered each one.

        Returns
        -------
        pandas.DataFrame
            The prediction columns plus ``explanation`` (a sentence) and ``factors`` (JSON
            list of ``[feature, words, log-odds contribution]``).
        """
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise RiskInputError(f"top: expected an integer >= 1, found {top!r}")
        data, X = self._features(shipments, now, history)
        pred = self._predict_frame(data, X, now)
        contrib = np.asarray(self.booster_.predict(X, pred_contrib=True), dtype=np.float64)
        frame = pd.DataFrame(contrib, columns=[*self.features_, "bias"], index=X.index)
        factors = top_factors(frame, X, top)
        pred["explanation"] = [
            explanation_text(float(p), self.base_rate_, f)
            for p, f in zip(pred["p_late"], factors, strict=True)
        ]
        pred["factors"] = [json.dumps([[n, w, round(c, 4)] for n, w, c in f]) for f in factors]
        return pred

    # --- persistence -------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """The JSON config saved next to the boosters."""
        self._require_fitted()
        return {
            "kind": self.kind,
            "format_version": FORMAT_VERSION,
            "spec": _spec_to_dict(self.spec),
            "spec_used": _spec_to_dict(self.spec_),
            "params": asdict(self.params),
            "features": self.features_,
            "categories": self.categories_,
            "calibrator": self.calibrator_.to_dict(),
            "delay_constant": self.delay_constant_,
            "has_regressor": self.regressor_ is not None,
            "base_rate": self.base_rate_,
            "training": self.training_,
            "validation": self.validation_,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model folder (replacing an existing one only once it is complete)."""
        config = self.config()
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            atomic_write_text(tmp / _CLASSIFIER_FILE, self.booster_.model_to_string())
            if self.regressor_ is not None:
                atomic_write_text(tmp / _REGRESSOR_FILE, self.regressor_.model_to_string())
            with atomic_path(tmp / _HISTORY_FILE) as f:
                self.history_.outcomes.to_csv(f, index=False)
            atomic_write_text(
                tmp / CONFIG_FILE, json.dumps(config, indent=2, allow_nan=False, default=str)
            )
            atomic_write_text(tmp / _CARD_FILE, _card(config))
            tmp.chmod(0o755)
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                if old.exists():
                    shutil.rmtree(old)
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old)
            else:
                os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return target

    @classmethod
    def load(cls, path: str | Path) -> GradientBoostingDelayModel:
        """Read a folder written by :meth:`save`."""
        import lightgbm as lgb

        folder = Path(path)
        config_file = folder / CONFIG_FILE
        if not config_file.is_file():
            raise FileNotFoundError(f"model: expected {config_file}, found no such file")
        config = json.loads(config_file.read_text(encoding="utf-8"))
        if config.get("kind") != cls.kind:
            raise RiskInputError(
                f"model config {config_file}: expected kind 'lightgbm', found "
                f"{config.get('kind')!r}"
            )
        version = config.get("format_version")
        if version != FORMAT_VERSION:
            raise RiskInputError(
                f"model config {config_file}: expected format_version {FORMAT_VERSION}, found "
                f"{version!r}"
            )

        def spec(data: dict[str, Any]) -> FeatureSpec:
            known = _known(FeatureSpec, data, f"{config_file} spec")
            known["categorical"] = tuple(known.get("categorical", ()))
            known["numeric"] = tuple(known.get("numeric", ()))
            return FeatureSpec(**known)

        model = cls(
            spec(config["spec"]),
            DelayModelParams(**_known(DelayModelParams, config["params"], f"{config_file} params")),
        )
        model.spec_ = spec(config["spec_used"])
        model.features_ = list(config["features"])
        model.categories_ = {k: list(v) for k, v in config["categories"].items()}
        model.calibrator_ = calibrator_from_dict(config["calibrator"])
        model.delay_constant_ = float(config["delay_constant"])
        model.base_rate_ = float(config["base_rate"])
        model.training_ = dict(config.get("training", {}))
        model.validation_ = dict(config.get("validation", {}))
        model.booster_ = lgb.Booster(
            model_str=(folder / _CLASSIFIER_FILE).read_text(encoding="utf-8")
        )
        model.n_rounds_ = model.booster_.current_iteration()
        model.regressor_ = None
        if config.get("has_regressor"):
            model.regressor_ = lgb.Booster(
                model_str=(folder / _REGRESSOR_FILE).read_text(encoding="utf-8")
            )
        outcomes = pd.read_csv(
            folder / _HISTORY_FILE,
            dtype={"order_id": str, "supplier_id": str, "destination": str, "mode": str},
        )
        outcomes["delivered_at"] = pd.to_datetime(outcomes["delivered_at"])
        model.history_ = OutcomeHistory(
            outcomes, window=model.spec.window, prior_strength=model.spec.prior_strength
        )
        return model


def _metrics(y: np.ndarray, p: np.ndarray, logit: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, roc_auc_score  # type: ignore[import-untyped]

    return {
        "rows": float(y.size),
        "late_rate": float(y.mean()),
        "roc_auc": float(roc_auc_score(y, logit)),
        "pr_auc": float(average_precision_score(y, logit)),
        "brier_calibrated_in_sample": brier_score(y, p),
        "ece_calibrated_in_sample": expected_calibration_error(y, p),
    }


def _card(config: dict[str, Any]) -> str:
    t, v = config["training"], config["validation"]
    lines = [
        "# Late-delivery risk model (LightGBM)",
        "",
        "Predicts the probability that a shipment arrives after its promised date, the delay",
        "if it does, and the factors behind each prediction (`supplymind risk train-delay`).",
        "",
        "## Training data",
        "",
        f"- shipments: {t['shipments']:,} ({t['late']:,} late, {t['late_rate']:.1%})",
        f"- promised dates: {t['first_promised'][:10]} to {t['last_promised'][:10]}",
        f"- boosting rounds: {t['rounds']} (early stopping on the latest "
        f"{t['calibration_rows']:,} shipments)",
        "",
        "## Held-out check (latest shipments, before the final refit)",
        "",
        f"- ROC-AUC {v['roc_auc']:.3f}, PR-AUC {v['pr_auc']:.3f} (late rate {v['late_rate']:.1%})",
        f"- calibration: {config['calibrator']['kind']}; Brier "
        f"{v['brier_calibrated_in_sample']:.4f} and "
        f"ECE {v['ece_calibrated_in_sample']:.4f} on the rows the calibrator was fitted on",
        "",
        "## Files",
        "",
        "- `classifier.txt`, `delay_regressor.txt`: LightGBM boosters (text format)",
        "- `config.json`: features, category levels, calibrator, parameters",
        "- `history.csv`: delivery outcomes behind the recent-performance features",
        "",
        "## Limits",
        "",
        "Probabilities are calibrated on the latest shipments of the training data; when the",
        "network's late rate shifts, re-train (or pass recent deliveries as `history`).",
        "",
    ]
    return "\n".join(lines)
