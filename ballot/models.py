"""Import every model so the metadata is complete (Alembic, ``create_all`` in tests).

Every domain area's ``ballot/<area>/models.py`` is found and imported automatically;
shared modules that define models are listed in ``SHARED_MODEL_MODULES``.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

SHARED_MODEL_MODULES = ("ballot.actionlog",)


def import_all_models() -> list[str]:
    """Import ``ballot.<area>.models`` for each area plus the shared modules."""
    imported = []
    for module in SHARED_MODEL_MODULES:
        importlib.import_module(module)
        imported.append(module)
    package_dir = Path(__file__).parent
    for info in pkgutil.iter_modules([str(package_dir)]):
        if info.ispkg and (package_dir / info.name / "models.py").exists():
            name = f"ballot.{info.name}.models"
            importlib.import_module(name)
            imported.append(name)
    return imported


import_all_models()
