"""The language-model layer: one small contract, three backends, shipped models by short name.

    from shopassist.assistant.llm import Message, GenerationOptions, generate, resolve_llm
    llm = resolve_llm(settings)                      # loads once; reuse it across turns
    for text in llm.stream([Message("user", "a mug?")], GenerationOptions(max_tokens=64)):
        ...

Every backend failure is `shopassist.errors.LLMError`; the fakes in `assistant.llm.fakes` stand in
for a model in tests of the orchestration. Importing this package loads no model and no runtime.
"""

from shopassist.assistant.llm.contract import LLM, GenerationOptions, Message, Prefills, generate
from shopassist.assistant.llm.fakes import FailingLLM, ScriptedLLM
from shopassist.assistant.llm.resolve import resolve_llm

__all__ = ["LLM", "FailingLLM", "GenerationOptions", "Message", "Prefills", "ScriptedLLM", "generate", "resolve_llm"]
