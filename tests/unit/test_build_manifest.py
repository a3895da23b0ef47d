"""Manifest shape (Terraform reads it), size budget and settings parsing."""

import base64
import hashlib
import json

import build_helpers  # noqa: F401  (puts build/ on sys.path)
import pytest
from lambdabuild import config, manifest, zipdet
from lambdabuild.config import MB, Function, Target

TARGET = Target(runtime="python3.12", python_version="3.12", architecture="x86_64", glibc="2.34")


def record(size, tag="x"):
    digest = hashlib.sha256(tag.encode()).hexdigest()
    return {
        "path": f"build/dist/{tag}.zip",
        "sha256": digest,
        "sha256_base64": base64.b64encode(bytes.fromhex(digest)).decode(),
        "zip_bytes": size // 3,
        "unzipped_bytes": size,
        "modules": [],
    }


def test_build_manifest_exact_shape(tmp_path):
    (tmp_path / "build/dist").mkdir(parents=True)
    root_tree = tmp_path / "src"
    (root_tree / "a").mkdir(parents=True)
    (root_tree / "a/x.py").write_text("x = 1\n")
    stats = zipdet.write_zip(tmp_path / "build/dist/function-alpha.zip", zipdet.tree_entries(root_tree))
    art = manifest.artifact_record(stats, tmp_path)
    assert art["path"] == "build/dist/function-alpha.zip"
    assert art["sha256"] == hashlib.sha256((tmp_path / art["path"]).read_bytes()).hexdigest()
    assert base64.b64decode(art["sha256_base64"]) == bytes.fromhex(art["sha256"])
    doc = manifest.assemble(
        TARGET,
        {"function/alpha": art, "layer/common": record(5 * MB, "common")},
        {"alpha": Function(name="alpha", handler="functions.alpha.handler.lambda_handler", layers=("common",))},
    )
    assert json.loads(json.dumps(doc)) == doc
    assert list(doc) == ["target", "artifacts", "functions", "degraded"]
    assert doc["degraded"] == []
    assert doc["target"] == {
        "runtime": "python3.12",
        "architecture": "x86_64",
        "python_version": "3.12",
        "glibc": "2.34",
    }
    for entry in doc["artifacts"].values():
        assert set(entry) == set(manifest.ARTIFACT_KEYS)
    assert doc["artifacts"]["function/alpha"]["modules"] == ["a.x"]
    assert doc["functions"] == {
        "alpha": {
            "artifact": "function/alpha",
            "layers": ["layer/common"],
            "unzipped_total_bytes": art["unzipped_bytes"] + 5 * MB,
        }
    }


def test_build_manifest_missing_layer_artifact():
    with pytest.raises(KeyError, match="layer/analysis-libs"):
        manifest.assemble(
            TARGET, {"function/a": record(10)}, {"a": Function(name="a", handler="h.h", layers=("analysis-libs",))}
        )


def test_build_budget_fails_over_240_mb():
    fns = {
        "big": Function(name="big", handler="h.h", layers=("libs",)),
        "fits": Function(name="fits", handler="h.h", layers=("small",)),
    }
    doc = manifest.assemble(
        TARGET,
        {
            "function/big": record(MB, "b"),
            "layer/libs": record(240 * MB, "l"),
            "function/fits": record(MB, "f"),
            "layer/small": record(239 * MB, "s"),
        },
        fns,
    )
    assert manifest.budget_problems(doc) == [
        f"big: {241 * MB:,} B unzipped with its layers (241.0 MB) > budget {240 * MB:,} B (240 MB)"
    ]
    with pytest.raises(manifest.BudgetError, match="big"):
        manifest.check_budget(doc)
    assert config.LAMBDA_UNZIPPED_LIMIT == 262_144_000  # Lambda's documented 250 MB quota, in bytes


def test_build_budget_exactly_at_limit_passes():
    fns = {"edge": Function(name="edge", handler="h.h", layers=("libs",))}
    doc = manifest.assemble(TARGET, {"function/edge": record(MB), "layer/libs": record(239 * MB, "l")}, fns)
    manifest.check_budget(doc)
    assert doc["functions"]["edge"]["unzipped_total_bytes"] == config.BUDGET_BYTES


def write_settings(tmp_path, functions, **top):
    doc = {
        "runtime": "python3.12",
        "python_version": "3.12",
        "architecture": "x86_64",
        "glibc": "2.34",
        "functions": functions,
        **top,
    }
    (tmp_path / "functions").mkdir(exist_ok=True)
    (tmp_path / "functions/settings.json").write_text(json.dumps(doc))


def test_build_settings_iterated_not_hard_coded(tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_SETTINGS", raising=False)
    write_settings(
        tmp_path,
        {
            "zeta": {
                "handler": "functions.zeta.handler.lambda_handler",
                "layers": ["common"],
                "env": {"N": 3},
                "memory": 256,
                "timeout": 5,
            },
            "alpha": {"handler": "functions.alpha.handler.lambda_handler"},
        },
    )
    target, fns = config.load_settings(tmp_path)
    assert target == TARGET
    assert list(fns) == ["alpha", "zeta"]
    assert fns["zeta"].env == {"N": "3"} and fns["zeta"].layers == ("common",) and fns["alpha"].layers == ()


def test_build_settings_refuses_six_layers(tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_SETTINGS", raising=False)
    write_settings(tmp_path, {"a": {"handler": "h.h", "layers": [f"l{i}" for i in range(6)]}})
    with pytest.raises(ValueError, match="Lambda allows 5"):
        config.load_settings(tmp_path)


def test_build_settings_runtime_must_match_python_version(tmp_path, monkeypatch):
    monkeypatch.delenv("BUILD_SETTINGS", raising=False)
    write_settings(tmp_path, {}, runtime="python3.13")
    with pytest.raises(ValueError, match="python_version"):
        config.load_settings(tmp_path)


def test_build_platform_tags_cover_every_manylinux_up_to_target_glibc():
    tags = TARGET.platform_tags()
    assert tags[0] == "manylinux_2_34_x86_64"
    for minor in range(5, 35):
        assert f"manylinux_2_{minor}_x86_64" in tags
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_35_x86_64" not in tags
    arm = Target(runtime="python3.12", python_version="3.12", architecture="arm64", glibc="2.34").platform_tags()
    assert arm[0] == "manylinux_2_34_aarch64" and "manylinux_2_16_aarch64" not in arm
    assert TARGET.abi == "cp312"


def test_build_manifest_lists_modules_and_layer_packages(tmp_path):
    assert manifest.module_names(
        ["functions/__init__.py", "functions/youtube/wiring.py", "functions/openapi.yaml", "functions/x/__init__.py"]
    ) == ["functions", "functions.x", "functions.youtube.wiring"]
    assert manifest.layer_packages(
        [
            "python/numpy/__init__.py",
            "python/six.py",
            "python/_cffi_backend.cpython-312-x86_64-linux-gnu.so",
            "python/numpy-2.0.dist-info/METADATA",
            "python/lib/python3.12/site-packages/yt_dlp/__init__.py",
            "bin/deno",
        ]
    ) == ["_cffi_backend", "numpy", "six", "yt_dlp"]


@pytest.mark.parametrize("name", sorted(config.load_settings()[1]))
def test_build_function_zip_ships_no_dev_module(tmp_path, name):
    # The zip exactly as `make build` writes it, from this checkout.
    from lambdabuild import build

    stats = zipdet.write_zip(tmp_path / f"function-{name}.zip", build.function_entries(name))
    art = manifest.artifact_record(stats, tmp_path)
    assert f"functions.{name}.handler" in art["modules"] and "functions.common.config" in art["modules"]
    doc = {"artifacts": {f"function/{name}": art}}
    assert manifest.dev_module_problems(doc) == []
    assert not [m for m in art["modules"] if m.rsplit(".", 1)[-1].startswith("dev")]


def test_build_dev_module_in_a_function_zip_fails_the_build(tmp_path):
    src = tmp_path / "src"
    for rel in ("functions/__init__.py", "functions/youtube/handler.py", "functions/local_api/devmedia.py"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("")
    stats = zipdet.write_zip(tmp_path / "function-youtube.zip", zipdet.tree_entries(src))
    doc = {"artifacts": {"function/youtube": manifest.artifact_record(stats, tmp_path)}}
    assert manifest.dev_module_problems(doc) == [
        "function/youtube: ships dev module functions.local_api.devmedia "
        "(development seams stay out of production zips)"
    ]
    with pytest.raises(manifest.DevModuleError, match="functions.local_api.devmedia"):
        manifest.check_production_only(doc)
