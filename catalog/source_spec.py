"""Which store, from which files: `--store` / `--catalog` resolved to a source path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shopassist.catalog import generations
from shopassist.catalog.store import DEMO, demo_source, store_name_for
from shopassist.errors import StoreNotFound
from shopassist.settings import Settings


@dataclass(frozen=True)
class SourceSpec:
    """Which store, from which files."""

    name: str
    path: Path

    @classmethod
    def resolve(cls, settings: Settings, store: str | None, catalog: Path | None) -> "SourceSpec":
        """`--store demo` → the shipped demo; `--catalog PATH [--store NAME]` → that file or folder;
        `--store NAME` alone → the source NAME was last built from."""
        if catalog is not None:
            return cls(store or store_name_for(Path(catalog)), Path(catalog))
        name = store or DEMO
        if name == DEMO:
            return cls(DEMO, demo_source())
        manifest = generations.current(settings.store_dir(name)) / "store.json"
        if not manifest.exists():
            raise StoreNotFound(f"store {name!r} is unknown — build it with: shopassist reindex --catalog PATH --store {name}")
        return cls(name, Path(json.loads(manifest.read_text())["source"]))
