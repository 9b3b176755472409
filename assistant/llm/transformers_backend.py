"""Any causal LM through transformers: the default on a CUDA GPU (bf16), slow but working on CPU.

Loads a hub id, a local folder, or a GGUF file (dequantised; needs the `gguf` and `accelerate`
packages). Dequantising a GGUF takes tens of seconds, so when given `convert_to` the result is
saved once as safetensors beside the other models and later starts load that in about a second
(transformers cannot `save_pretrained` a GGUF-loaded model, hence the state dict + config route).
"""

from __future__ import annotations

import importlib.util
import json
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from shopassist.assistant.llm.contract import GenerationOptions, Message
from shopassist.assistant.llm.streaming import Emit, StopCutter, bounded_stream
from shopassist.errors import LLMError, ModelNotFound
from shopassist.files import atomic_folder

GGUF_NEEDS = ("gguf", "accelerate")


def gguf_support_missing() -> list[str]:
    """Packages transformers lacks to read GGUF files here (empty when it can).

    >>> isinstance(gguf_support_missing(), list)
    True
    """
    return [name for name in GGUF_NEEDS if importlib.util.find_spec(name) is None]


class TransformersLLM:
    """A chat model run by transformers on CUDA when present, else CPU.

    Skipped when doctests run: dequantising the GGUF takes about 40 s on 2 cores.

    >>> from shopassist.assistant.llm.shipped import SHIPPED_LLMS
    >>> path = SHIPPED_LLMS["smollm2-135m"].parts[0].locate()
    >>> llm = TransformersLLM(path.parent, gguf_file=path.name)  # doctest: +SKIP
    """

    def __init__(
        self,
        location: str | Path,
        *,
        gguf_file: str | None = None,
        convert_to: Path | None = None,
        device: str | None = None,
        dtype: str = "bfloat16",
        n_threads: int | None = None,
        local_files_only: bool = True,
        name: str | None = None,
    ):
        # bf16 also on CPU: about twice fp32's speed for these models on 2 cores (../shared/MODELS.md).
        import torch

        self.name = name or Path(str(location)).name
        if n_threads:
            torch.set_num_threads(n_threads)  # process-wide in torch; the same number the rest uses
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._dtype = getattr(torch, dtype)
        try:
            if gguf_file and convert_to is not None and (convert_to / "config.json").is_file():
                self._load(convert_to, None, local_files_only)
            elif gguf_file:
                missing = gguf_support_missing()
                if missing:
                    raise LLMError(
                        f"transformers reads GGUF files only with {' and '.join(GGUF_NEEDS)} installed — "
                        f"pip install {' '.join(missing)}, or use the llama-cpp backend for {gguf_file}"
                    )
                self._load(Path(location), gguf_file, local_files_only)
                if convert_to is not None:
                    self._save_converted(convert_to)
            else:
                self._load(location, None, local_files_only)
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            where = Path(str(location))
            if not where.exists() and isinstance(e, OSError):
                raise ModelNotFound(
                    f"{location!r} is not a local folder and is not in the hub cache ({e.__class__.__name__}) — "
                    "give a folder with config.json, a .gguf file, or a shipped name (`shopassist models`); "
                    "set HF_HUB_OFFLINE=0 to download from the hub where it is reachable"
                ) from e
            raise LLMError(f"transformers could not load {location} ({e}) — try the llama-cpp backend for GGUF files") from e
        self._model.eval()

    def _load(self, location: str | Path, gguf_file: str | None, local_files_only: bool) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would drown the caller's output
        extra = {"gguf_file": gguf_file} if gguf_file else {}
        self._tokenizer = AutoTokenizer.from_pretrained(str(location), local_files_only=local_files_only, **extra)
        self._model = AutoModelForCausalLM.from_pretrained(
            str(location), dtype=self._dtype, local_files_only=local_files_only, **extra
        ).to(self.device)

    def _save_converted(self, target: Path) -> None:
        from safetensors.torch import save_model

        try:
            with atomic_folder(target) as tmp:  # a folder appears whole or not at all
                save_model(self._model, str(tmp / "model.safetensors"))  # handles tied embeddings
                self._model.config.save_pretrained(tmp)
                config = json.loads((tmp / "config.json").read_text())
                config.pop("quantization_config", None)  # else reloading looks for the GGUF again
                (tmp / "config.json").write_text(json.dumps(config, indent=2))
                self._model.generation_config.save_pretrained(tmp)
                self._tokenizer.save_pretrained(tmp)
        except OSError as e:
            # The disk is full, or another process converting at the same moment spoiled this
            # one's half: this start is unaffected and the next one converts again.
            if not (target / "config.json").is_file():
                warnings.warn(f"could not keep the converted model in {target} ({e}); the next start converts again", stacklevel=2)

    def count_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens the model reads for `messages`, chat template included (for the turn's log line)."""
        encoded = self._tokenizer.apply_chat_template([m.to_dict() for m in messages], add_generation_prompt=True, tokenize=True, return_dict=True)
        return len(encoded["input_ids"])

    def stream(self, messages: Sequence[Message], options: GenerationOptions = GenerationOptions()) -> Iterator[str]:
        chat = [m.to_dict() for m in messages]

        def produce(emit: Emit, cancelled: threading.Event) -> None:
            import torch
            from transformers import StoppingCriteria, StoppingCriteriaList, TextStreamer

            cutter = StopCutter(options.stop, emit)

            class Stream(TextStreamer):
                def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                    cutter.feed(text)

            class Halt(StoppingCriteria):
                # Checked after every token: the caller's timeout, or a stop string seen.
                def __call__(self, input_ids, scores, **kwargs):  # type: ignore[no-untyped-def]
                    done = cancelled.is_set() or cutter.stopped
                    return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

            inputs = self._tokenizer.apply_chat_template(
                chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
            ).to(self.device)
            sampling = (
                {"do_sample": True, "temperature": options.temperature}
                if options.temperature > 0
                else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
            )
            with torch.inference_mode():
                self._model.generate(
                    **inputs,
                    max_new_tokens=options.max_tokens,
                    streamer=Stream(self._tokenizer, skip_prompt=True, skip_special_tokens=True),
                    stopping_criteria=StoppingCriteriaList([Halt()]),
                    pad_token_id=self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
                    **sampling,
                )
            if not cancelled.is_set():
                cutter.flush()

        return bounded_stream(produce, options, self.name)
