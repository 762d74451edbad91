"""Argument checks shared by the corpus modules; messages name the argument."""

from __future__ import annotations

import numpy as np

__all__ = ["check_generator", "check_int", "check_real"]


def check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` if it is an integer in ``[minimum, maximum]``, else raise.

    Parameters
    ----------
    name
        Argument name used in the message.
    value
        The value to check; ``bool`` is refused.
    minimum, maximum
        Inclusive bounds; ``maximum=None`` means no upper bound.

    Returns
    -------
    int
        ``value`` as a Python ``int``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` is out of bounds.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ValueError(f"{name} must be at least {minimum}{upper}, got {value}")
    return int(value)


def check_real(
    name: str,
    value: object,
    minimum: float,
    maximum: float | None = None,
    *,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` if it is a finite real number in range, else raise.

    Parameters
    ----------
    name
        Argument name used in the message.
    value
        The value to check; ``bool`` is refused.
    minimum, maximum
        Bounds; ``maximum`` is inclusive, ``maximum=None`` means no upper bound.
    strict_minimum
        Whether ``minimum`` itself is refused.

    Returns
    -------
    float
        ``value`` as a Python ``float``.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is not finite or out of bounds.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    number = float(value)
    too_low = number <= minimum if strict_minimum else number < minimum
    if not np.isfinite(number) or too_low or (maximum is not None and number > maximum):
        low = f"{'>' if strict_minimum else '>='} {minimum}"
        high = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be a finite number {low}{high}, got {value!r}")
    return number


def check_generator(name: str, value: object) -> np.random.Generator:
    """Return ``value`` if it is a ``numpy.random.Generator``, else raise ``TypeError``.

    Parameters
    ----------
    name
        Argument name used in the message.
    value
        The value to check.

    Returns
    -------
    numpy.random.Generator
        ``value`` itself.
    """
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(value).__name__}"
        )
    return value
