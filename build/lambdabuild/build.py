"""`make build`: function zips, layer zips, numba cache, ABI check, budget, manifest."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import elfcheck, events, layer_boot, layers, manifest, runenv, sandbox, zipdet
from .config import MB, ROOT, Function, Layer, Target, load_layer, load_settings, with_python

NUMBA_CACHE_DIRNAME = "numba_cache"  # layer root: /opt/numba_cache at run time
NUMBA_RUNTIME_DIR = "/tmp/numba_cache"
# What a container keeps in /tmp on purpose (per container, not per request).
CONTAINER_STATE = ("numba_cache", "layer-packed", ".aws-xray")  # .aws-xray: the X-Ray SDK's marker
# numba cache outcomes recorded as degraded: a warm-up that failed under the target runtime.
# "skipped" (no target CPython, no root for the sandbox) stays a banner and a build-info.json
# entry: the analysis path caches nothing today, so the skip costs nothing measured (docs/build.md).
# "empty": the warm-up ran and compiled nothing numba caches, which is the design.
NUMBA_DEGRADED = ("failed",)


def loud(message: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n{message}\n{bar}\n", file=sys.stderr, flush=True)


@dataclass
class Variant:
    """Where and for which interpreter to build. `target` is the settings file's; the smoke
    variant is the same with this machine's Python version."""

    target: Target
    dist: Path
    work: Path
    label: str
    info: dict = field(default_factory=dict)


def function_entries(name: str, root: Path = ROOT) -> list[tuple[str, Path]]:
    """Code only: `functions` is one package, so common code travels in every function zip
    (in a layer, /opt/python/functions would be shadowed by /var/task/functions)."""
    fdir = root / "functions"
    if not (fdir / name).is_dir():
        raise FileNotFoundError(f"functions/{name}/ missing (named in settings.json)")
    entries = [
        ("functions/__init__.py", fdir / "__init__.py"),
        ("functions/openapi.yaml", fdir / "openapi.yaml"),
        ("functions/settings.json", fdir / "settings.json"),
    ]
    for sub in ("common", name):
        entries += [(f"functions/{sub}/{rel}", path) for rel, path in zipdet.tree_entries(fdir / sub)]
    return entries


def build_function(fn: Function, dist: Path, root: Path = ROOT) -> zipdet.ZipStats:
    return zipdet.write_zip(dist / f"function-{fn.name}.zip", function_entries(fn.name, root))


def zip_layer(name: str, stage: Path, out: Path, executables: frozenset[str]) -> zipdet.ZipStats:
    zipdet.normalize_mtimes(stage)
    return zipdet.write_zip(out, zipdet.tree_entries(stage, bytecode=True), executables=executables)


def target_interpreter(variant: Variant) -> sandbox.Interpreter | None:
    """A CPython of the variant's version: the Docker image's own, $TARGET_PYTHON, or one
    found on this machine (pyenv here has 3.12)."""
    if "interpreter" not in variant.info:
        variant.info["interpreter"] = sandbox.find_interpreter(variant.target.python_version)
    return variant.info["interpreter"]


def runtime_site(variant: Variant) -> Path:
    """The runtime's own site-packages for the sandbox: boto3 and its dependencies from the
    dev lock (Lambda's python runtime ships boto3 there; its version differs)."""
    site = variant.work / "runtime-site"
    if not (site / "boto3").is_dir():
        sandbox.remove(site)
        text, _ = layers.filter_lock((ROOT / "requirements.txt").read_text(encoding="utf-8"), set())
        keep = {layers.canonical(n) for n in runenv.RUNTIME_SDK}
        blocks = [block for name, block in layers.lock_blocks(text) if name in keep]
        req = variant.work / "runtime-sdk.requirements.txt"
        req.write_text("\n".join(blocks) + "\n", encoding="utf-8")
        layers.pip_install(req, site, variant.target)
    return site


def build_numba_cache(
    variant: Variant,
    layer: Layer,
    stage: Path,
    consumers: list[Function],
    layer_zips: dict[str, Path],
    function_zips: dict[str, Path],
    root: Path = ROOT,
) -> dict:
    """Compile what the consumers' handlers compile, at /opt/python in the sandbox, with
    NUMBA_CPU_NAME=generic, and put the cache into the layer as numba_cache/."""
    mode = os.environ.get("BUILD_NUMBA_CACHE", "auto")
    version = variant.target.python_version
    if mode == "0":
        loud(
            f"NUMBA CACHE SKIPPED for layer {layer.name}: BUILD_NUMBA_CACHE=0. Cold starts compile "
            f"whatever a warm-up would have cached (nothing on the current analysis path; about 20 s "
            f"once librosa's jitted functions are called)."
        )
        return {"status": "skipped", "reason": "BUILD_NUMBA_CACHE=0"}
    interp = target_interpreter(variant)
    why = (
        None
        if interp
        else (
            f"no CPython {version} found to run the target interpreter (set TARGET_PYTHON, "
            f"or build in Docker with BUILD_IN_DOCKER=1)"
        )
    )
    why = why or sandbox.namespaces_unavailable()
    if why:
        if mode == "1":
            raise RuntimeError(f"numba cache for {layer.name} required (BUILD_NUMBA_CACHE=1) but: {why}")
        loud(
            f"NUMBA CACHE NOT BUILT for layer {layer.name} ({variant.label}): {why}.\n"
            f"The layer ships WITHOUT a numba cache, unchecked: cold starts compile whatever it would "
            f"have held (nothing on the current analysis path; about 20 s once librosa's jitted "
            f"functions are called)."
        )
        return {"status": "skipped", "reason": why}
    assert interp is not None  # else `why` said so above
    print(f"numba cache: {layer.name} with {interp.executable} at /opt/python (NUMBA_CPU_NAME=generic)", flush=True)
    cache = stage / NUMBA_CACHE_DIRNAME
    sandbox.remove(cache)
    site = runtime_site(variant)
    grants = runenv.terraform_grants(root)  # TerraformLocalsError (a RuntimeError) stops the build
    openapi = runenv.openapi(root)
    names = list(load_settings(root)[1])  # as make smoke passes them: every function in settings.json
    ran = []
    for fn in consumers:
        box = sandbox.Sandbox(variant.work / "sandbox" / f"warmup-{fn.name}", interp, site)
        invs = events.invocations(fn.name, internal=fn.internal, openapi=openapi)
        box.populate(
            function_zips[fn.name],
            [layer_zips[name] for name in fn.layers],
            {"invocations.json": json.dumps(invs).encode()},
        )
        env = runenv.lambda_env(fn, variant.target, all_functions=names, grants=grants)
        # What the cache is built for; at run time _layer_boot defaults both when a cache ships.
        env["NUMBA_CACHE_DIR"], env["NUMBA_CPU_NAME"] = NUMBA_RUNTIME_DIR, "generic"
        started = time.time()
        proc = box.run(
            ["/var/runtime/bootstrap.py", "/var/runtime/invocations.json", str(fn.timeout * 10)], env, timeout=900
        )
        records = runenv.parse_records(proc.stdout)
        errors = [r for r in records if "error" in r] or ([] if records else [{"error": proc.stderr[-3000:]}])
        if proc.returncode or errors:
            detail = "\n".join(str(e.get("error"))[-2000:] for e in errors)
            sandbox.remove(box.root)
            if mode == "1":
                raise RuntimeError(
                    f"numba cache for {layer.name} required (BUILD_NUMBA_CACHE=1) but the warm-up of "
                    f"{fn.name} failed:\n{detail}"
                )
            loud(f"NUMBA CACHE NOT BUILT for {layer.name}: the warm-up of {fn.name} failed:\n{detail}")
            return {"status": "failed", "reason": f"warm-up of {fn.name} failed"}
        produced = box.tmp / "numba_cache"
        if produced.is_dir():
            shutil.copytree(produced, cache, dirs_exist_ok=True)
        ran.append({"function": fn.name, "seconds": round(time.time() - started, 1)})
        sandbox.remove(box.root)
    files = [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []
    if not files:
        loud(f"numba cache for {layer.name}: the warm-up compiled nothing numba caches; shipping no cache.")
        return {"status": "empty", "warmup": ran}
    return {
        "status": "built",
        "interpreter": interp.executable,
        "python": interp.version,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "warmup": ran,
    }


def build(variant: Variant, root: Path = ROOT) -> dict:
    t0 = time.time()
    settings_target, functions = load_settings(root)
    target = variant.target
    dist, work = variant.dist, variant.work
    sandbox.remove(dist)
    dist.mkdir(parents=True)
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"build [{variant.label}]: {target.runtime}-like {target.abi} {target.architecture}, "
        f"glibc <= {target.glibc}; functions: {', '.join(functions)}",
        flush=True,
    )
    stats: dict[str, zipdet.ZipStats] = {}
    function_zips: dict[str, Path] = {}
    for fn in functions.values():
        s = build_function(fn, dist, root)
        stats[f"function/{fn.name}"] = s
        function_zips[fn.name] = s.path
    used = sorted({name for fn in functions.values() for name in fn.layers})
    unused = sorted(p.name for p in (root / "layers").iterdir() if p.is_dir() and p.name not in used)
    if unused:
        print(f"note: layers/{', layers/'.join(unused)} not used by any function in settings.json; not built")
    info: dict = {
        "variant": variant.label,
        "target": target.manifest_dict(),
        "builder": variant.info.get("builder", "host"),
        "pip_platforms": target.platform_tags(),
        "layers": {},
    }
    layer_zips: dict[str, Path] = {}
    problems: list[str] = []
    degraded: list[dict] = []  # what this build skipped that the artifacts were designed with
    for name in used:
        layer = load_layer(name, root)
        stage = work / "layers" / name
        t = time.time()
        report, exe = layers.prepare_layer(layer, stage, work / "req", target)
        abi, checked = elfcheck.check_tree(stage, architecture=target.architecture, glibc=target.glibc)
        problems += [f"layer/{name}: {p}" for p in abi]
        packed = layer.config.get("packed", [])
        interp = target_interpreter(variant)
        if interp is not None:
            pyc = layers.compile_bytecode(stage, interp.executable, packed, layer_boot.UNPACK_DIR)
        else:
            pyc = 0
            loud(
                f"NO .pyc FOR LAYER {name}: no CPython {target.python_version} here (TARGET_PYTHON, or Docker). "
                "The layer works, but every cold start compiles the modules it imports from source."
            )
            degraded.append(
                manifest.degradation(
                    f"layer/{name}",
                    "pyc",
                    f"no CPython {target.python_version} found (TARGET_PYTHON, or BUILD_IN_DOCKER=1)",
                    "every cold start compiles the modules the layer imports from source",
                )
            )
        layers.pack_packages(stage, packed)  # after the ABI check, which reads the ELF files
        out = dist / f"layer-{name}.zip"
        stats[f"layer/{name}"] = zip_layer(name, stage, out, exe)
        layer_zips[name] = out
        info["layers"][name] = {
            "not_installed": layer.not_installed,
            "elf_files_checked": checked,
            "packed": packed,
            "pyc_files": pyc,
            "dropped_files": report.dropped_files,
            "dropped_bytes": report.dropped_bytes,
            "stripped_files": report.stripped_files,
            "strip_saved_bytes": report.stripped_saved_bytes,
            "seconds": round(time.time() - t, 1),
        }
        print(
            f"layer {name}: {stats[f'layer/{name}'].unzipped_bytes / MB:.1f} MB unzipped, "
            f"dropped {report.dropped_bytes / MB:.1f} MB, strip saved {report.stripped_saved_bytes / MB:.1f} MB, "
            f"{checked} ELF files checked ({time.time() - t:.0f} s)",
            flush=True,
        )
    if problems:
        raise RuntimeError("ABI check failed:\n  " + "\n  ".join(problems))
    for name in used:
        layer = load_layer(name, root)
        if not layer.config.get("numba_cache"):
            continue
        consumers = [fn for fn in functions.values() if name in fn.layers]
        stage = work / "layers" / name
        result = build_numba_cache(variant, layer, stage, consumers, layer_zips, function_zips, root)
        info["layers"][name]["numba_cache"] = result
        if result["status"] in NUMBA_DEGRADED:
            degraded.append(
                manifest.degradation(
                    f"layer/{name}",
                    "numba_cache",
                    f"{result['status']}: {result['reason']}",
                    "the analysis did not run under the target runtime; nothing numba caches was checked",
                )
            )
        if result["status"] == "built":
            exe = layers.executables(stage, layer.config.get("executables", []))
            stats[f"layer/{name}"] = zip_layer(name, stage, layer_zips[name], exe)
    artifacts = {key: manifest.artifact_record(s, root) for key, s in stats.items()}
    doc = manifest.assemble(target, artifacts, functions, degraded=degraded)
    manifest.write(doc, dist / "manifest.json")
    info["seconds"] = round(time.time() - t0, 1)
    (dist / "build-info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    print(manifest.table(doc), flush=True)
    manifest.check_budget(doc)
    manifest.check_production_only(doc)
    if settings_target != target:
        print(
            f"note: {variant.label} artifacts are for {target.abi}, not the deployment target "
            f"{settings_target.abi}: do not deploy them",
            flush=True,
        )
    elif degraded:
        loud(
            "DEGRADED BUILD, recorded in manifest.json `degraded`:\n  "
            + "\n  ".join(manifest.degraded_problems(doc))
            + "\nmake plan / make deploy / make build-check refuse it unless ALLOW_DEGRADED=1."
        )
    print(f"build [{variant.label}] done in {time.time() - t0:.0f} s -> {dist.relative_to(root)}/manifest.json")
    return doc


def target_variant(root: Path = ROOT, *, builder: str = "host") -> Variant:
    target, _ = load_settings(root)
    info: dict = {"builder": builder}
    if builder == "docker":  # inside the Lambda build image: this interpreter is the target's
        interp = sandbox.probe(sys.executable)
        if interp and interp.version == target.python_version:
            info["interpreter"] = interp
    return Variant(
        target=target, dist=root / "build" / "dist", work=root / "build" / "work" / "target", label="target", info=info
    )


def local_variant(root: Path = ROOT) -> Variant:
    """This machine's Python (3.11 here): what `make smoke` runs, since it is the interpreter
    this machine has for sure. Same function zips, layers resolved for this version."""
    target, _ = load_settings(root)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    label = f"py{version.replace('.', '')}"
    work = root / "build" / "work" / f"smoke-{label}"
    return Variant(target=with_python(target, version), dist=work / "dist", work=work, label=label)
