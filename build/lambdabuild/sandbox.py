"""A Lambda-like sandbox on this machine, without Docker.

In a private mount and network namespace (unshare; needs root, which CI has):
  /var/task    <- the function zip, unpacked, read-only
  /opt         <- the function's layers unpacked in order, read-only
  /var/lang    <- the interpreter's prefix, read-only; its site-packages replaced by the
                  runtime's SDK (boto3 and friends, as Lambda's /var/lang has), read-only
  /var/runtime <- bootstrap.py, read-only
  /tmp         <- an empty directory, the only writable place
The process runs as `nobody` with a clean environment and no network. Paths are the real
Lambda paths, which a shipped numba cache needs (it is keyed by absolute source path)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import zipdet

NOBODY = 65534


@dataclass(frozen=True)
class Interpreter:
    executable: str
    prefix: str
    version: str

    @property
    def name(self) -> str:
        return f"python{self.version}"


def probe(executable: str) -> Interpreter | None:
    code = (
        "import json,os,sys,platform;print(json.dumps([sys.base_prefix,"
        "f'{sys.version_info[0]}.{sys.version_info[1]}',platform.machine(),os.path.realpath(sys.executable)]))"
    )
    try:
        proc = subprocess.run([executable, "-I", "-c", code], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode:
        return None
    prefix, version, _machine, real = json.loads(proc.stdout)
    if not (Path(prefix) / "bin" / f"python{version}").exists():
        return None
    return Interpreter(executable=real, prefix=prefix, version=version)


def find_interpreter(version: str, *, env_var: str = "TARGET_PYTHON") -> Interpreter | None:
    """A CPython `version` whose prefix can be mounted at /var/lang: $TARGET_PYTHON,
    python<version> on PATH, then pyenv's and the usual system locations."""
    candidates = [os.environ.get(env_var, "")]
    candidates.append(shutil.which(f"python{version}") or "")
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / f"python{version}") for p in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    candidates += [f"/usr/local/bin/python{version}", f"/usr/bin/python{version}"]
    for cand in candidates:
        if cand and os.path.exists(cand):
            found = probe(cand)
            if found and found.version == version:
                return found
    return None


def namespaces_unavailable() -> str | None:
    """Why the sandbox cannot run here, or None."""
    if os.geteuid() != 0:
        return "the sandbox needs root (mount namespaces and a switch to `nobody`)"
    if not shutil.which("unshare") or not shutil.which("setpriv"):
        return "unshare/setpriv (util-linux) not installed"
    proc = subprocess.run(["unshare", "--mount", "--net", "true"], capture_output=True, text=True)
    if proc.returncode:
        return f"unshare --mount --net refused: {proc.stderr.strip()}"
    return None


def make_writable(path: Path) -> None:
    for dirpath, dirs, files in os.walk(path):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | stat.S_IWUSR)
    if path.exists():
        os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


def make_readonly(path: Path) -> None:
    """chmod -R a-w: Lambda's /var/task and /opt are read-only."""
    for dirpath, dirs, files in os.walk(path):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode & ~0o222)
    os.chmod(path, os.stat(path).st_mode & ~0o222)


def remove(path: Path) -> None:
    if path.exists():
        make_writable(path)
        shutil.rmtree(path)


class Sandbox:
    def __init__(self, root: Path, interpreter: Interpreter, runtime_site: Path):
        self.root, self.interpreter, self.runtime_site = root, interpreter, runtime_site
        self.task, self.opt, self.runtime, self.tmp = (root / n for n in ("task", "opt", "runtime", "tmp"))

    def populate(self, function_zip: Path, layer_zips: list[Path], files: dict[str, bytes]) -> None:
        remove(self.root)
        for d in (self.task, self.opt, self.runtime, self.tmp):
            d.mkdir(parents=True)
        zipdet.extract(function_zip, self.task)
        for layer in layer_zips:  # Lambda unpacks layers in order; later ones win
            zipdet.extract(layer, self.opt)
        shutil.copy(Path(__file__).with_name("bootstrap.py"), self.runtime / "bootstrap.py")
        for name, data in files.items():
            (self.runtime / name).write_bytes(data)
        for d in (self.task, self.opt, self.runtime):
            os.chmod(d, 0o755)
            make_readonly(d)
        os.chown(self.tmp, NOBODY, NOBODY)
        os.chmod(self.tmp, 0o700)

    def tmp_leftovers(self, ignore: tuple[str, ...] = ()) -> list[str]:
        out = []
        for dirpath, dirs, files in os.walk(self.tmp):
            rel = Path(dirpath).relative_to(self.tmp).as_posix()
            if any(rel == i or rel.startswith(i + "/") for i in ignore):
                continue
            out += [str(Path(rel, f)) for f in files]
            out += [
                str(Path(rel, d))
                for d in dirs
                if (Path(rel, d).as_posix() not in ignore) and not os.listdir(Path(dirpath, d))
            ]
        return sorted(out)

    def script(self, argv: list[str], env: dict[str, str], program: str | None = None) -> str:
        site_rel = f"lib/{self.interpreter.name}/site-packages"
        q = shlex.quote
        newvar = q(str(self.root / "newvar"))
        lines = [
            "set -eu",
            "mount --make-rprivate /",
            # A fresh /var assembled aside, then moved over /var: the interpreter's prefix may
            # itself be under /var (/var/lang in the Lambda build image).
            f"mkdir -p {newvar}",
            f"mount -t tmpfs -o mode=0755,size=8m tmpfs {newvar}",
            f"mkdir {newvar}/task {newvar}/lang {newvar}/runtime",
            f"mount --bind {q(str(self.task))} {newvar}/task",
            f"mount --bind {q(self.interpreter.prefix)} {newvar}/lang",
            f"mount --bind {q(str(self.runtime))} {newvar}/runtime",
            f"if [ -d {newvar}/lang/{q(site_rel)} ]; then mount --bind {q(str(self.runtime_site))} "
            f"{newvar}/lang/{q(site_rel)}; mount -o remount,bind,ro {newvar}/lang/{q(site_rel)}; fi",
            f"mount --bind {q(str(self.opt))} /opt",
            f"mount --move {newvar} /var",
            # /tmp last: the sources above may live under the host's /tmp (a clone in /tmp).
            f"mount --bind {q(str(self.tmp))} /tmp",
        ]
        lines += [f"mount -o remount,bind,ro {m}" for m in ("/var/task", "/var/lang", "/var/runtime", "/opt")]
        lines.append("cd /var/task")
        env_args = " ".join(q(f"{k}={v}") for k, v in sorted(env.items()))
        program = program or f"/var/lang/bin/{self.interpreter.name}"
        lines.append(
            f"exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups --inh-caps=-all "
            f"--bounding-set=-all env -i {env_args} {q(program)} {' '.join(map(q, argv))}"
        )
        return "\n".join(lines)

    def run(
        self, argv: list[str], env: dict[str, str], *, timeout: float, program: str | None = None
    ) -> subprocess.CompletedProcess:
        """Run `program` (default /var/lang/bin/pythonX.Y) with argv in the sandbox."""
        cmd = ["unshare", "--mount", "--net", "--fork", "--", "/bin/sh", "-c", self.script(argv, env, program)]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
