"""The shared modelling layer of the learned scorers: hashing, sparse rows, linear models, fitting.

numpy only, deterministic, and explainable: every prediction is a sparse dot
product whose per-entry contributions map back to character spans of text.
"""

from ._dialog import DIALOG_GROUPS, TurnGrams, add_dialog_ngrams, gram_columns
from ._features import RowBuilder, add_char_ngrams, add_cues, add_facts, add_word_ngrams
from ._fit import balanced_weights, cross_val_decisions, fit, folds_by_id
from ._hashing import hash_index, hash_indices
from ._metrics import macro_f1, roc_auc, spearman
from ._model import LinearModel, ModelFormatError, load_models, package_models, save_models
from ._sparse import FeatureRow, SparseRows

__all__ = [
    "DIALOG_GROUPS",
    "FeatureRow",
    "LinearModel",
    "ModelFormatError",
    "RowBuilder",
    "SparseRows",
    "TurnGrams",
    "add_char_ngrams",
    "add_cues",
    "add_dialog_ngrams",
    "add_facts",
    "add_word_ngrams",
    "balanced_weights",
    "cross_val_decisions",
    "fit",
    "folds_by_id",
    "gram_columns",
    "hash_index",
    "hash_indices",
    "load_models",
    "macro_f1",
    "package_models",
    "roc_auc",
    "save_models",
    "spearman",
]
