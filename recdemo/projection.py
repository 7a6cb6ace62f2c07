"""PCA of queries and items together, with one basis for every epoch.

The basis is fitted once, on the final embeddings, and every epoch's snapshot
is projected onto it: the axes of the animation stay put instead of jumping
or flipping from frame to frame. Early epochs then show how the final
structure formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.decomposition import PCA


@dataclass(frozen=True)
class Projection:
    queries: np.ndarray  # (frames, m, components) projected query embeddings
    items: np.ndarray  # (frames, n, components) projected item embeddings
    explained_variance_ratio: np.ndarray  # (components,) on the fitted (final) embeddings

    @property
    def components(self) -> int:
        return self.queries.shape[-1]

    @cached_property
    def final_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(components,) low and (components,) high of every axis over the
        last frame's points (a figure fitted to the end of training asks for
        them for every group at every frame: found once)."""
        final = np.concatenate([self.queries[-1], self.items[-1]])
        return final.min(axis=0), final.max(axis=0)

    def bounds(self) -> np.ndarray:
        """(components, 2) low and high of every axis over all frames, so axes stay put."""
        both = np.concatenate([self.queries, self.items], axis=1)
        return np.stack([both.min(axis=(0, 1)), both.max(axis=(0, 1))], axis=1)


def project(query_snapshots: np.ndarray, item_snapshots: np.ndarray,
            components: int = 2) -> Projection:
    """Fit PCA on the last snapshot of queries and items together; project all snapshots."""
    if components not in (2, 3):
        raise ValueError(f"components must be 2 or 3; got {components!r}")
    frames, m, d = query_snapshots.shape
    if d < components:
        raise ValueError(
            f"components must be at most the embedding dimension ({d}); got {components}"
        )
    final = np.concatenate([query_snapshots[-1], item_snapshots[-1]])
    pca = PCA(n_components=components, svd_solver="full").fit(final)
    # Fix each axis' sign (largest loading positive) so the same data never mirrors.
    signs = np.sign(pca.components_[np.arange(components), np.abs(pca.components_).argmax(axis=1)])
    basis = pca.components_ * signs[:, None]

    def apply(snapshots):
        return (snapshots - pca.mean_) @ basis.T

    return Projection(apply(query_snapshots), apply(item_snapshots), pca.explained_variance_ratio_)
