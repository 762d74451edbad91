"""Errors and warnings of the feedback module.

They belong in :mod:`supplymind.exceptions` with the others; they live here until that
module takes them (the feedback package may not edit it), and are re-exported by
:mod:`supplymind.feedback`.
"""

from __future__ import annotations

from supplymind.exceptions import SupplyMindError, SupplyMindWarning

__all__ = ["FeedbackInputError", "FeedbackWarning"]


class FeedbackInputError(SupplyMindError, ValueError):
    """Feedback input (texts, labels, columns, a saved model folder) cannot be used.

    The message names the column or argument, what was expected and what was found.
    """


class FeedbackWarning(SupplyMindWarning):
    """A feedback classifier was trained or used in a degraded way (too few labels for
    fine-tuning, a fine-tuned model that lost to its baseline, ...)."""
