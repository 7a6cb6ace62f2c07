"""Make ``import recdemo`` work however pytest is started (``pytest`` or ``python -m pytest``)."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
