"""An embedder behind an OpenAI-compatible server: `POST {base}/v1/embeddings` with
`{"model": ..., "input": [...]}` (vLLM, TEI, Ollama, llama.cpp's server), for stores that embed on
a GPU box. The same contract as the in-process embedders (retrieval/embedder.py): float32 unit
rows, in the order of the texts. The API has no query/passage distinction, so `query` is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np

from shopassist.errors import EmbedderError
from shopassist.settings import openai_endpoint


class OpenAIEmbedder:
    """`model` is passed through as the server names it and is also the index's identity (`name`):
    a server running the model a store was built with can serve or extend that store's index.
    The dimension is asked of the server once, here, so a dead server fails at start-up.

    >>> OpenAIEmbedder("http://127.0.0.1:9", "all-minilm-l6-v2", timeout_s=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    shopassist.errors.EmbedderError: cannot connect to the embeddings server at http://127.0.0.1:9 ...
    """

    multilingual = False  # unknown for a served model: Chinese queries are translated first

    def __init__(
        self,
        base_url: str,
        model: str,
        batch_size: int = 256,
        timeout_s: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url, self.model, self.name = base_url, model, model
        self.batch_size = max(1, batch_size)
        self.timeout_s = timeout_s
        self._url = openai_endpoint(base_url, "embeddings")
        # One client: its pool keeps the connection between batches.
        self._client = httpx.Client(transport=transport, timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)))
        try:
            self.dim = int(self._post(["dimension probe"]).shape[1])
        except EmbedderError:
            self._client.close()
            raise

    def close(self) -> None:
        self._client.close()

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        chunks = [self._post(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        vectors = np.concatenate(chunks)
        if vectors.shape[1] != self.dim:
            raise EmbedderError(
                f"the embeddings server at {self.base_url} answered {vectors.shape[1]}-d vectors after "
                f"{self.dim}-d ones — is another model behind the same URL now? Serve {self.model!r} only"
            )
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)

    def _post(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows, in the order of `texts`, whatever order the server used."""
        try:
            response = self._client.post(self._url, json={"model": self.model, "input": list(texts)})
        except httpx.ConnectError as e:
            raise EmbedderError(
                f"cannot connect to the embeddings server at {self.base_url} ({e}) — start it (e.g. "
                "`python -m llama_cpp.server --model M.gguf --embedding true`), or drop --embed-url / "
                "SHOPASSIST_EMBED_URL to embed in this process"
            ) from None
        except httpx.TimeoutException:
            raise EmbedderError(
                f"the embeddings server at {self.base_url} did not answer {len(texts)} texts within "
                f"{self.timeout_s:g} s — lower SHOPASSIST_EMBED_BATCH_SIZE or check the server's load"
            ) from None
        except httpx.HTTPError as e:
            raise EmbedderError(f"the embeddings server at {self.base_url} failed: {e}") from None
        if response.status_code != 200:
            raise EmbedderError(
                f"the embeddings server at {self._url} answered HTTP {response.status_code} for model "
                f"{self.model!r}: {response.text[:300]} — check the URL and that it serves this model"
            )
        try:
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as e:
            raise EmbedderError(
                f"the embeddings server at {self._url} did not answer in the OpenAI format "
                f'({{"data": [{{"index": i, "embedding": [...]}}]}}): {type(e).__name__} {e}'
            ) from None
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbedderError(
                f"the embeddings server at {self._url} answered {len(vectors)} vectors for {len(texts)} texts"
            )
        return vectors
