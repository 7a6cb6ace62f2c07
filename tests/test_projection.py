"""PCA with one basis for every training snapshot (recdemo/projection.py)."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from recdemo.projection import project

FRAMES, QUERIES, ITEMS, DIM = 4, 20, 30, 5


def make_snapshots(dim=DIM, seed=0):
    """Random snapshots, wider in the early frames (as at initialization) than
    in the last one; frame 2 repeats frame 0."""
    rng = np.random.default_rng(seed)
    scale = np.array([5.0, 3.0, 2.0, 1.0, 0.5][:dim])  # distinct variances: a well-defined basis
    width = np.array([3.0, 2.0, 3.0, 1.0])[:, None, None]
    queries = rng.standard_normal((FRAMES, QUERIES, dim)) * scale * width
    items = rng.standard_normal((FRAMES, ITEMS, dim)) * scale * width
    queries[2], items[2] = queries[0], items[0]
    return queries, items


@pytest.mark.parametrize("components", [2, 3])
def test_shapes(components):
    projection = project(*make_snapshots(), components=components)
    assert projection.components == components
    assert projection.queries.shape == (FRAMES, QUERIES, components)
    assert projection.items.shape == (FRAMES, ITEMS, components)
    assert projection.explained_variance_ratio.shape == (components,)


def test_the_same_snapshot_lands_on_the_same_coordinates_in_any_frame():
    projection = project(*make_snapshots())
    np.testing.assert_array_equal(projection.queries[2], projection.queries[0])
    np.testing.assert_array_equal(projection.items[2], projection.items[0])


def test_moving_a_later_snapshot_does_not_move_an_earlier_frame():
    """The basis is fitted on the last frame only: the others are just projected."""
    queries, items = make_snapshots()
    before = project(queries, items)
    queries[1] += 1.0
    after = project(queries, items)
    np.testing.assert_array_equal(after.items[0], before.items[0])


@pytest.mark.parametrize("components", [2, 3])
def test_last_frame_is_sklearn_pca_up_to_the_sign_of_each_axis(components):
    queries, items = make_snapshots()
    final = np.concatenate([queries[-1], items[-1]])
    expected = PCA(n_components=components).fit_transform(final)
    projection = project(queries, items, components=components)
    ours = np.concatenate([projection.queries[-1], projection.items[-1]])
    for axis in range(components):
        sign = np.sign(ours[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(ours[:, axis], sign * expected[:, axis], atol=1e-10,
                                   err_msg=f"axis {axis}")


@pytest.mark.parametrize("components", [2, 3])
def test_explained_variance_ratio(components):
    ratio = project(*make_snapshots(), components=components).explained_variance_ratio
    assert len(ratio) == components
    assert (ratio > 0).all()
    assert (np.diff(ratio) <= 0).all()
    assert ratio.sum() <= 1.0 + 1e-12


def test_the_axes_never_mirror_between_equivalent_fits():
    """Negating the data negates the loadings; the sign rule must undo that."""
    queries, items = make_snapshots()
    flipped = project(-queries, -items)
    original = project(queries, items)
    np.testing.assert_allclose(flipped.items, -original.items, atol=1e-10)


@pytest.mark.parametrize("components, dim", [(4, DIM), (1, DIM), (3, 2)])
def test_unsupported_components_raise_naming_components(components, dim):
    with pytest.raises(ValueError, match="components"):
        project(*make_snapshots(dim=dim), components=components)


@pytest.mark.parametrize("components", [2, 3])
def test_bounds_cover_every_frame_tightly(components):
    projection = project(*make_snapshots(), components=components)
    low, high = projection.bounds().T
    points = np.concatenate([projection.queries, projection.items], axis=1)
    assert projection.bounds().shape == (components, 2)
    np.testing.assert_array_equal(points.min(axis=(0, 1)), low)
    np.testing.assert_array_equal(points.max(axis=(0, 1)), high)
    # The early, wider frames set the bounds, not the fitted last one.
    assert (low < points[-1].min(axis=0)).all()
    assert (high > points[-1].max(axis=0)).all()
