"""Sparse feature rows and batches: the only data structure the models read.

A :class:`FeatureRow` is one example (one agent turn): column indices, values,
and for every entry the character span of the text it came from, so a
model's per-entry contributions can be mapped back to words as evidence. An
index may occur more than once in a row (the same n-gram twice, or two
features hashed to one column); every operation sums such entries, exactly as
if they had been merged.

A :class:`SparseRows` is a batch in compressed sparse row form for fitting.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["FeatureRow", "SparseRows"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def _int_array(value: object) -> IntArray:
    return np.ascontiguousarray(value, dtype=np.int64).reshape(-1)


def _float_array(value: object) -> FloatArray:
    return np.ascontiguousarray(value, dtype=np.float64).reshape(-1)


@attrs.frozen(eq=False)
class FeatureRow:
    """The features of one example, with the text span each entry came from.

    Attributes:
        indices: Column of each entry (may repeat; repeated entries add up).
        values: Value of each entry.
        turns: Turn index of each entry's source span (``-1``: no span).
        starts: Offset of the first character of each entry's source span.
        ends: Offset one past its last character.
    """

    indices: IntArray = attrs.field(converter=_int_array)
    values: FloatArray = attrs.field(converter=_float_array)
    turns: IntArray = attrs.field(converter=_int_array)
    starts: IntArray = attrs.field(converter=_int_array)
    ends: IntArray = attrs.field(converter=_int_array)

    def __attrs_post_init__(self) -> None:
        n = len(self.indices)
        if not len(self.values) == len(self.turns) == len(self.starts) == len(self.ends) == n:
            raise ValueError("FeatureRow: indices, values, turns, starts and ends differ in length")
        if n and int(self.indices.min()) < 0:
            raise ValueError("FeatureRow: negative column index")

    @classmethod
    def plain(cls, indices: object, values: object) -> FeatureRow:
        """A row without source spans (every entry gets turn ``-1`` and the span ``0:0``)."""
        idx = _int_array(indices)
        zeros = np.zeros(len(idx), dtype=np.int64)
        return cls(idx, values, zeros - 1, zeros, zeros)

    def __len__(self) -> int:
        return len(self.indices)

    def concat(self, *others: FeatureRow) -> FeatureRow:
        """This row followed by the entries of *others*."""
        rows = (self, *others)
        return FeatureRow(
            np.concatenate([r.indices for r in rows]),
            np.concatenate([r.values for r in rows]),
            np.concatenate([r.turns for r in rows]),
            np.concatenate([r.starts for r in rows]),
            np.concatenate([r.ends for r in rows]),
        )


@attrs.frozen(eq=False)
class SparseRows:
    """A batch of rows in compressed sparse row form (duplicate columns within a row are summed).

    Attributes:
        indptr: Row ``i``'s entries are ``indptr[i]:indptr[i + 1]``.
        indices: Column of each entry.
        values: Value of each entry.
        n_cols: The number of columns (every index is below it).
    """

    indptr: IntArray = attrs.field(converter=_int_array)
    indices: IntArray = attrs.field(converter=_int_array)
    values: FloatArray = attrs.field(converter=_float_array)
    n_cols: int

    def __attrs_post_init__(self) -> None:
        if len(self.indptr) < 1 or self.indptr[0] != 0 or self.indptr[-1] != len(self.indices):
            raise ValueError("SparseRows: indptr must start at 0 and end at the number of entries")
        if len(self.values) != len(self.indices):
            raise ValueError("SparseRows: indices and values differ in length")
        if len(self.indices) and (int(self.indices.min()) < 0 or int(self.indices.max()) >= self.n_cols):
            raise ValueError(f"SparseRows: a column index is outside [0, {self.n_cols})")

    @classmethod
    def from_rows(cls, rows: Sequence[FeatureRow | tuple[object, object]], n_cols: int) -> SparseRows:
        """Stack *rows* (each a :class:`FeatureRow` or an ``(indices, values)`` pair)."""
        pairs = [(r.indices, r.values) if isinstance(r, FeatureRow) else r for r in rows]
        idx = [_int_array(i) for i, _ in pairs]
        val = [_float_array(v) for _, v in pairs]
        for k, (i, v) in enumerate(zip(idx, val, strict=True)):
            if len(i) != len(v):
                raise ValueError(f"SparseRows.from_rows: row {k} has {len(i)} indices but {len(v)} values")
        indptr = np.zeros(len(pairs) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in idx], out=indptr[1:])
        empty_i, empty_v = np.zeros(0, np.int64), np.zeros(0, np.float64)
        return cls(
            indptr, np.concatenate(idx) if idx else empty_i, np.concatenate(val) if val else empty_v, n_cols
        )

    @property
    def n_rows(self) -> int:
        """The number of rows."""
        return len(self.indptr) - 1

    def row_ids(self) -> IntArray:
        """The row of each entry."""
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))

    def dot(self, weights: npt.ArrayLike) -> FloatArray:
        """``X @ weights``: one value per row."""
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (self.n_cols,):
            raise ValueError(f"SparseRows.dot: weights of shape {w.shape}, expected ({self.n_cols},)")
        products = w[self.indices] * self.values
        out: FloatArray = np.bincount(self.row_ids(), weights=products, minlength=self.n_rows).astype(
            np.float64
        )
        return out

    def T_dot(self, vector: npt.ArrayLike) -> FloatArray:
        """``X.T @ vector``: one value per column."""
        v = np.asarray(vector, dtype=np.float64)
        if v.shape != (self.n_rows,):
            raise ValueError(f"SparseRows.T_dot: vector of shape {v.shape}, expected ({self.n_rows},)")
        out: FloatArray = np.bincount(
            self.indices, weights=self.values * v[self.row_ids()], minlength=self.n_cols
        ).astype(np.float64)
        return out

    def take(self, rows: npt.ArrayLike) -> SparseRows:
        """The batch of the given rows, in the given order (for cross-validation folds)."""
        picked = _int_array(rows)
        starts, ends = self.indptr[picked], self.indptr[picked + 1]
        lengths = ends - starts
        indptr = np.zeros(len(picked) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        positions = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1])
        return SparseRows(indptr, self.indices[positions], self.values[positions], self.n_cols)

    def column_counts(self) -> IntArray:
        """How many rows have an entry in each column (document frequency, for pruning)."""
        pairs = np.unique(self.row_ids() * self.n_cols + self.indices)
        return np.bincount(pairs % self.n_cols, minlength=self.n_cols)
