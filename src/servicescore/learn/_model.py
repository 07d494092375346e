"""Linear models over sparse features: prediction, explanation, and a deterministic file format.

A model file holds one or more named :class:`LinearModel` s sharing nothing but
the file: a magic line, a JSON header (sorted keys, no timestamps) and a
zlib-compressed body of the nonzero weights (column indices as little-endian
``uint32``, weights as ``float32``). Saving the same weights always writes
the same bytes, so a training run can be checked by its sha256.
"""

from __future__ import annotations

import functools
import json
import math
import struct
import zlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from ._sparse import FeatureRow, FloatArray, SparseRows

__all__ = ["LinearModel", "ModelFormatError", "load_models", "package_models", "save_models"]

Kind = Literal["logistic", "ridge", "ordinal"]
KINDS: tuple[Kind, ...] = ("logistic", "ridge", "ordinal")

_MAGIC = b"servicescore-linear-models 1\n"
_HEADER = struct.Struct("<I")


class ModelFormatError(ValueError):
    """A model file that cannot be read (names the file and what is wrong)."""


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow warnings for large |z|
    return out


def _floats(values: object) -> tuple[float, ...]:
    return tuple(float(x) for x in values)  # type: ignore[attr-defined]


def _meta(meta: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in sorted(meta.items())})


def _weights(value: object) -> npt.NDArray[np.float32]:
    return np.ascontiguousarray(value, dtype=np.float32).reshape(-1)


@attrs.frozen(eq=False)
class LinearModel:
    """A linear model ``f(x) = weights · x + bias`` read in one of three ways.

    * ``"logistic"``: :meth:`predict` is the probability of the positive class, ``sigmoid(f)``, in ``[0, 1]``.
    * ``"ridge"``: :meth:`predict` is ``f`` itself (a regression value).
    * ``"ordinal"``: levels ``0 .. len(thresholds)``; :meth:`predict` is the expected level
      ``sum(sigmoid(f - t) for t in thresholds)`` in ``[0, len(thresholds)]``, and :meth:`level`
      the number of thresholds ``f`` exceeds.

    Attributes:
        kind: ``"logistic"``, ``"ridge"`` or ``"ordinal"``.
        weights: One weight per column (``float32``).
        bias: The intercept (``0`` for ordinal models, whose thresholds play that role).
        thresholds: Ascending cut points of an ordinal model (empty otherwise).
        meta: Free-form string facts saved with the model (version, featurizer settings, training data).
    """

    kind: Kind = attrs.field(validator=attrs.validators.in_(KINDS))
    weights: npt.NDArray[np.float32] = attrs.field(converter=_weights)
    bias: float = attrs.field(default=0.0, converter=float)
    thresholds: tuple[float, ...] = attrs.field(default=(), converter=_floats)
    meta: Mapping[str, str] = attrs.field(default=MappingProxyType({}), converter=_meta)

    def __attrs_post_init__(self) -> None:
        if (self.kind == "ordinal") != bool(self.thresholds):
            raise ValueError("LinearModel: an ordinal model needs thresholds, other kinds none")
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError(f"LinearModel: thresholds must ascend, got {self.thresholds}")
        if not all(math.isfinite(x) for x in (self.bias, *self.thresholds)):
            raise ValueError("LinearModel: bias and thresholds must be finite")
        if not np.isfinite(self.weights).all():
            raise ValueError("LinearModel: weights must be finite")

    @property
    def dims(self) -> int:
        """The number of columns."""
        return len(self.weights)

    def decision(self, row: FeatureRow) -> float:
        """``f(x)`` of one row."""
        return float(np.dot(self.weights[row.indices].astype(np.float64), row.values)) + self.bias

    def decisions(self, rows: SparseRows) -> FloatArray:
        """``f(x)`` of every row of a batch."""
        return rows.dot(self.weights) + self.bias

    def contributions(self, row: FeatureRow) -> FloatArray:
        """Each entry's share of the decision, ``weight * value``; they sum to ``decision(row) - bias``."""
        out: FloatArray = self.weights[row.indices].astype(np.float64) * row.values
        return out

    def read(self, decisions: npt.ArrayLike) -> FloatArray:
        """The predictions for given decision values (see the class docstring)."""
        f = np.asarray(decisions, dtype=np.float64)
        if self.kind == "logistic":
            return _sigmoid(f)
        if self.kind == "ridge":
            return f
        t = np.asarray(self.thresholds)
        return _sigmoid(f[..., None] - t).sum(axis=-1)  # type: ignore[no-any-return]

    def predict(self, row: FeatureRow) -> float:
        """The prediction for one row (probability, value or expected level, by kind)."""
        return float(self.read(self.decision(row)))

    def level(self, decision: float) -> int:
        """The ordinal level, ``0 .. len(thresholds)``, of a decision value."""
        return sum(decision > t for t in self.thresholds)

    def levels(self, rows: SparseRows) -> npt.NDArray[np.int64]:
        """The ordinal level of every row of a batch."""
        f = self.decisions(rows)
        return (f[:, None] > np.asarray(self.thresholds)).sum(axis=1)  # type: ignore[no-any-return]

    def save(self, path: str | Path, name: str = "model") -> None:
        """Write this model alone to *path* (see :func:`save_models`)."""
        save_models(path, {name: self})

    @classmethod
    def load(cls, path: str | Path, name: str | None = None) -> LinearModel:
        """Read the model *name* (or the only model) of the file at *path*."""
        models = load_models(path)
        if name is None:
            if len(models) != 1:
                raise ModelFormatError(f"{path}: holds {sorted(models)}; name the model to load")
            return next(iter(models.values()))
        if name not in models:
            raise ModelFormatError(f"{path}: no model named {name!r} (has {sorted(models)})")
        return models[name]


def dumps(models: Mapping[str, LinearModel]) -> bytes:
    """The bytes of a model file holding *models* (deterministic; see the module docstring)."""
    header: dict[str, object] = {"models": []}
    body = bytearray()
    for name in sorted(models):
        model = models[name]
        nonzero = np.flatnonzero(model.weights)
        header["models"].append(  # type: ignore[attr-defined]
            {
                "name": name,
                "kind": model.kind,
                "dims": model.dims,
                "nonzero": len(nonzero),
                "bias": model.bias,
                "thresholds": list(model.thresholds),
                "meta": dict(model.meta),
            }
        )
        body += nonzero.astype("<u4").tobytes() + model.weights[nonzero].astype("<f4").tobytes()
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _MAGIC + _HEADER.pack(len(text)) + text + zlib.compress(bytes(body), 9)


def loads(data: bytes, source: str = "<bytes>") -> dict[str, LinearModel]:
    """The models of a model file's bytes (*source* names it in errors)."""
    if not data.startswith(_MAGIC):
        raise ModelFormatError(f"{source}: not a servicescore model file (bad first line)")
    offset = len(_MAGIC)
    try:
        (length,) = _HEADER.unpack_from(data, offset)
        header = json.loads(data[offset + 4 : offset + 4 + length].decode("utf-8"))
        body = zlib.decompress(data[offset + 4 + length :])
    except (struct.error, ValueError, zlib.error) as error:
        raise ModelFormatError(f"{source}: damaged model file ({error})") from None
    models: dict[str, LinearModel] = {}
    position = 0
    for number, entry in enumerate(header.get("models", [])):
        try:
            nonzero, dims = int(entry["nonzero"]), int(entry["dims"])
            columns = np.frombuffer(body, dtype="<u4", count=nonzero, offset=position)
            values = np.frombuffer(body, dtype="<f4", count=nonzero, offset=position + 4 * nonzero)
            position += 8 * nonzero
            weights = np.zeros(dims, dtype=np.float32)
            weights[columns] = values
            models[str(entry["name"])] = LinearModel(
                entry["kind"], weights, entry["bias"], entry["thresholds"], entry["meta"]
            )
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ModelFormatError(f"{source}: model {number}: {error}") from None
    if position != len(body):
        raise ModelFormatError(f"{source}: {len(body) - position} bytes of weights left over")
    return models


def save_models(path: str | Path, models: Mapping[str, LinearModel]) -> None:
    """Write *models* (by name) to one file at *path*; identical models give identical bytes."""
    Path(path).write_bytes(dumps(models))


def load_models(path: str | Path) -> dict[str, LinearModel]:
    """Read every model of the file at *path*, by name."""
    return loads(Path(path).read_bytes(), str(path))


@functools.cache
def package_models(filename: str) -> Mapping[str, LinearModel]:
    """The models of a file shipped in ``servicescore/data/models/``, read once per process."""
    data = resources.files("servicescore").joinpath("data", "models", filename).read_bytes()
    return MappingProxyType(loads(data, f"servicescore/data/models/{filename}"))
