"""Demand forecasting: the Forecaster (pretrained backbone, fine-tuning, guarded adoption),
statistical candidates, accuracy metrics and the ``supplymind forecast`` job."""

from supplymind.forecasting.forecaster import DEFAULT_QUANTILES, FINETUNE_CHOICES, Forecaster

__all__ = ["DEFAULT_QUANTILES", "FINETUNE_CHOICES", "Forecaster"]
