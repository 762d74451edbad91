"""Tests of the KernelSynth Gaussian-process generator."""

from __future__ import annotations

import numpy as np
import pytest

from supplymind.training.corpus.kernelsynth import (
    MAX_LENGTH,
    RBF,
    Constant,
    DotProduct,
    Periodic,
    White,
    default_kernel_bank,
    generate_kernelsynth,
    random_kernel,
    sample_gp,
    single_blas_thread,
)


@pytest.mark.parametrize("length", [1, 2, 37, 256, MAX_LENGTH])
def test_when_generated_then_float32_finite_and_of_the_requested_length(length: int) -> None:
    rng = np.random.default_rng(length)
    for _ in range(5):
        series = generate_kernelsynth(length, rng)
        assert series.shape == (length,)
        assert series.dtype == np.float32
        assert np.all(np.isfinite(series))


def test_when_same_seed_then_same_series_and_other_seed_differs() -> None:
    first = generate_kernelsynth(200, np.random.default_rng(7))
    again = generate_kernelsynth(200, np.random.default_rng(7))
    other = generate_kernelsynth(200, np.random.default_rng(8))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_when_every_bank_kernel_is_sampled_then_the_draw_is_finite() -> None:
    """Each kernel alone, including rank-deficient ones, passes the jittered Cholesky."""
    rng = np.random.default_rng(0)
    for kernel in default_kernel_bank():
        assert np.all(np.isfinite(sample_gp(kernel, 300, rng)))


def test_when_stationary_then_toeplitz_matrix_equals_the_direct_formula() -> None:
    """The fast lag path matches k(x_i, x_j) evaluated pairwise on the unit grid."""
    length = 50
    x = np.arange(length) / (length - 1)
    gap = np.abs(x[:, None] - x[None, :])
    kernel = Periodic(7.0) * RBF(0.3) + White(0.5)
    expected = np.exp(-2 * np.sin(np.pi * gap * (length - 1) / 7.0) ** 2) * np.exp(
        -0.5 * (gap / 0.3) ** 2
    ) + 0.5 * np.eye(length)
    np.testing.assert_allclose(kernel.matrix(length), expected, atol=1e-12)


def test_when_combined_with_dot_product_then_matrix_is_the_elementwise_combination() -> None:
    length = 20
    x = np.arange(length) / (length - 1)
    kernel = DotProduct(1.0) * Constant(2.0) + RBF(1.0)
    expected = (1.0 + np.outer(x, x)) * 2.0 + RBF(1.0).matrix(length)
    assert not kernel.stationary
    np.testing.assert_allclose(kernel.matrix(length), expected)


def test_when_many_draws_then_empirical_covariance_matches_the_kernel() -> None:
    """The sampler draws from the stated Gaussian process (checked on 4000 draws)."""
    rng = np.random.default_rng(3)
    kernel = Periodic(5.0) + White(0.2)
    draws = np.stack([sample_gp(kernel, 12, rng) for _ in range(4000)])
    np.testing.assert_allclose(np.cov(draws.T), kernel.matrix(12), atol=0.12)


def test_when_random_kernel_then_at_most_max_kernels_are_combined() -> None:
    rng = np.random.default_rng(1)

    def leaves(kernel: object) -> int:
        left, right = getattr(kernel, "left", None), getattr(kernel, "right", None)
        return 1 if left is None else leaves(left) + leaves(right)

    counts = {leaves(random_kernel(rng, max_kernels=3)) for _ in range(200)}
    assert counts == {1, 2, 3}


@pytest.mark.parametrize(("length", "error"), [(0, ValueError), (MAX_LENGTH + 1, ValueError)])
def test_when_length_out_of_range_then_error_names_length(
    length: int, error: type[Exception]
) -> None:
    with pytest.raises(error, match="length"):
        generate_kernelsynth(length, np.random.default_rng(0))


def test_when_rng_is_not_a_generator_then_type_error_names_rng() -> None:
    with pytest.raises(TypeError, match="rng"):
        generate_kernelsynth(10, 0)  # type: ignore[arg-type]


def test_when_inside_single_blas_thread_then_blas_uses_one_thread() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with single_blas_thread():
        blas = [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
        assert all(pool["num_threads"] == 1 for pool in blas)
