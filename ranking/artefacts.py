"""Versioned ranking artefacts next to a store's index: `<store>/models/ranking/v0001/`.

A version folder is written under a temporary name and renamed when complete, so a reader never
sees half an artefact; the highest complete version is the latest. The bundle is a pickle: load
only folders this project wrote into your own data directory.
"""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone
from pathlib import Path

from shopassist.ranking.pipeline import Trained
from shopassist.errors import ModelNotFound
from shopassist.files import atomic_folder
from shopassist.settings import Settings

FORMAT = 1  # bump when Trained changes shape; older folders then ask to be retrained
BUNDLE, MANIFEST = "bundle.pkl", "manifest.json"


def ranking_dir(settings: Settings, store: str) -> Path:
    return settings.store_dir(store) / "models" / "ranking"


def versions(root: Path) -> list[Path]:
    """Complete version folders, oldest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit() and (p / MANIFEST).exists()]
    return sorted(found, key=lambda p: int(p.name[1:]))


def stamp(settings: Settings, store: str) -> tuple[int, int] | None:
    """Changes when a version lands (its folder is renamed into place): one stat, for a serving
    process to check on every ranking."""
    try:
        st = ranking_dir(settings, store).stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def latest(settings: Settings, store: str) -> Path | None:
    found = versions(ranking_dir(settings, store))
    return found[-1] if found else None


def save(trained: Trained, settings: Settings, store: str, about: dict, root: Path | None = None) -> Path:
    """Write a new version under `root` (default: the store's served rankers); returns its folder.

    >>> import tempfile; from shopassist.ranking.pipeline import toy_trained
    >>> s = Settings.load(home=tempfile.mkdtemp())
    >>> save(toy_trained(), s, "toy", {}).name, load(latest(s, "toy")).item_ids[:2]
    ('v0001', ('a', 'b'))
    """
    root = root or ranking_dir(settings, store)
    root.mkdir(parents=True, exist_ok=True)
    existing = versions(root)
    number = int(existing[-1].name[1:]) + 1 if existing else 1
    final = root / f"v{number:04d}"
    manifest = {
        "format": FORMAT,
        "version": number,
        "store": store,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "items": len(trained.item_ids),
        "models": sorted(trained.models),
        "choices": trained.choices,
        "validation": trained.tune_metrics,
        "train_s": {k: round(v, 2) for k, v in trained.train_s.items()},
        **about,
    }
    with atomic_folder(final) as staging:
        with open(staging / BUNDLE, "wb") as f:
            pickle.dump(trained, f, protocol=pickle.HIGHEST_PROTOCOL)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return final


def manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text())


def load(folder: Path) -> Trained:
    about = manifest(folder)
    if about.get("format") != FORMAT:
        raise ModelNotFound(
            f"{folder} was written by another version of the ranker (format {about.get('format')}, this one reads {FORMAT}) "
            f"— run: shopassist train --store {about.get('store', 'STORE')}"
        )
    with open(folder / BUNDLE, "rb") as f:
        return pickle.load(f)
