"""Save and load trained models by name in the user data directory.

Models live in ``user_data_dir("cbec-policy")/models/NAME.joblib`` (``CBEC_MODEL_DIR`` overrides
the folder, e.g. for tests or a shared lab drive). A file records the scikit-learn and taxonomy
versions it was made with, so that a stale model is refused with a clear reason instead of
failing obscurely.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir

from cbec_policy.classify.taxonomy import load_taxonomy
from cbec_policy.errors import InputError

if TYPE_CHECKING:  # scikit-learn is imported when a model is saved or loaded, not to find its path
    from cbec_policy.classify.trained import TrainedClassifier

DEFAULT_MODEL = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_FORMAT = 2  # 2: learned thresholds


def model_dir() -> Path:
    """The folder that holds saved models (not created here)."""
    override = os.environ.get("CBEC_MODEL_DIR")
    return Path(override) if override else _user_models()


@cache
def _user_models() -> Path:
    # asked once per process: the platform lookup costs more than classifying a short text
    return Path(user_data_dir("cbec-policy")) / "models"


def model_path(name: str) -> Path:
    """Path of the model called ``name``; the name must be a plain file name."""
    if not _NAME.match(name) or name.endswith("."):
        raise InputError(f"model name {name!r}", "use letters, digits, '.', '_' or '-' (at most 64)")
    return model_dir() / f"{name}.joblib"


def save_model(model: TrainedClassifier, name: str = DEFAULT_MODEL) -> Path:
    """Write ``model`` atomically (temporary file, then rename) and return its path."""
    # start-up: joblib and scikit-learn load only when a model is saved or loaded, not to find its path
    import joblib
    import sklearn

    path = model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {
        "format": _FORMAT,
        "sklearn": sklearn.__version__,
        "taxonomy_version": model.taxonomy.version,
        "trained_ids": list(model.trained_ids),
        "model": model,
    }
    temporary = path.with_suffix(".joblib.tmp")
    joblib.dump(payload, temporary)
    temporary.replace(path)
    return path


def load_model(name: str = DEFAULT_MODEL) -> TrainedClassifier:
    """Load a saved model; InputError when it is missing, unreadable or made by other versions."""
    # start-up: joblib and scikit-learn load only when a model is saved or loaded, not to find its path
    import joblib
    import sklearn

    path = model_path(name)
    if not path.is_file():
        raise InputError(f"model {name!r}", f"not found in {path.parent} (run: cbec classify train --model {name})")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # a truncated or foreign file can fail in many ways inside pickle
        raise InputError(f"model {name!r}", f"cannot be read ({type(exc).__name__}); train it again") from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise InputError(f"model {name!r}", "unknown file format; train it again")
    if payload.get("sklearn") != sklearn.__version__:
        raise InputError(
            f"model {name!r}",
            f"made with scikit-learn {payload.get('sklearn')}, now {sklearn.__version__}; train again",
        )
    if payload.get("taxonomy_version") != load_taxonomy().version:
        raise InputError(f"model {name!r}", "made with another taxonomy version; train it again")
    from cbec_policy.classify.trained import TrainedClassifier  # start-up: scikit-learn, as above

    model = payload["model"]
    if not isinstance(model, TrainedClassifier):
        raise InputError(f"model {name!r}", "does not hold a trained classifier")
    return model
