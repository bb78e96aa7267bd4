"""The linted tree as the analysis sees it: which module name lives in which file.

Helper summaries reach across files through this index; a file that is only needed for its helpers
is parsed lazily, once, when a linted file imports from it. Nothing here imports or runs user code.

The analysis of a file sees the tree only through the questions below (``knows``, ``locate``,
``resolve_relative``, ``container_env``, ``library_covered``, ``growth_at_import``,
``keras2_pin``, ``mentioned_elsewhere``). Between ``begin_file`` and
``end_file`` each question and its answer is recorded, in a form that ``answers_unchanged`` can
check against the tree of a later run: that is how a cached result learns that a helper module,
the set of modules or a Dockerfile's ENV it depended on has changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keras_lint.analysis.gpu_memory_settings import NAMES as _MEMORY_SETTING_NAMES
from keras_lint.analysis.gpu_memory_settings import environment_handles
from keras_lint.analysis.limits import parse_helper_module
from keras_lint.sources.python import decode_python
from keras_lint.sources.regular_file import read_regular_file

if TYPE_CHECKING:
    import libcst as cst


class ProjectIndex:
    """Python files of the linted tree, addressable by dotted module name.

    Module names come from absolute paths, so they do not depend on how the tree was named
    (``keras-lint .`` from the project folder and ``keras-lint /path/to/project`` agree, and a
    project folder that is itself a package is importable by its name). Paths passed in are
    kept as given; comparisons between them are made on their absolute form.
    """

    def __init__(
        self,
        python_files: Iterable[Path],
        dockerfile_env: MappingABC[Path, MappingABC[str, str]] | None = None,
        notebooks: Iterable[Path] = (),
    ) -> None:
        self.files = [Path(p) for p in python_files]
        #: notebooks of the tree: programs that may call into its modules (never imported)
        self.notebooks = [Path(p) for p in notebooks]
        #: ENV values of the Dockerfiles of the tree, by the folder the Dockerfile is in
        #: (``TF_FORCE_GPU_ALLOW_GROWTH`` there satisfies KER301, ``XLA_PYTHON_CLIENT_PREALLOCATE``
        #: KER303)
        self.dockerfile_env: dict[Path, dict[str, str]] = {
            Path(folder).resolve(): dict(env) for folder, env in (dockerfile_env or {}).items()
        }
        # every dotted suffix of a file's path is a name it may be imported by
        self._by_name: dict[str, list[Path]] = {}
        #: the module a folder or file stem is (for relative imports): its longest dotted name
        self._by_stem: dict[str, str] = {}
        for path in self.files:
            # string operations, not pathlib: this runs for every file of the tree on every run
            stem = os.path.splitext(os.path.abspath(path))[0]
            parts = stem.split(os.sep)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
                stem = os.path.dirname(stem)
            name = None
            for start in reversed(range(len(parts))):
                if not parts[start].isidentifier():
                    break
                name = ".".join(parts[start:])
                self._by_name.setdefault(name, []).append(path)
            if name is not None:  # the longest
                self._by_stem.setdefault(stem, name)
        self._parsed: dict[Path, cst.Module | None] = {}
        #: content hashes of the files read for their helpers (of the very bytes parsed)
        self._digests: dict[Path, str | None] = {}
        #: the import graph of each project root asked about (built on first use)
        self._graphs: dict[str, _ImportGraph] = {}
        #: modules of the tree interpreted for their helpers, by path: their scope and the events
        #: of their top level (owned by the interpreter; between ``begin_file`` and ``end_file``
        #: they belong to one linted file, otherwise they are shared by every file of a run)
        self.scope_cache: dict[str, Any] = {}
        #: the questions asked since ``begin_file``, and their answers; None when not recording
        self._asked: dict[str, Any] | None = None

    # -- one linted file --------------------------------------------------------------------

    def begin_file(self) -> None:
        """Start the analysis of one linted file: the helper modules it loads are interpreted
        for it alone (so its findings never depend on which files were analysed before it in
        this process), and every question it asks of the tree is recorded."""
        self.scope_cache = {}
        self._asked = {}

    def end_file(self) -> list[list[Any]]:
        """The questions asked since ``begin_file`` as JSON data: ``[question, arguments,
        answer]`` rows, sorted."""
        asked, self._asked = self._asked or {}, None
        self.scope_cache = {}
        return [json.loads(row) + [answer] for row, answer in sorted(asked.items())]

    def answers_unchanged(self, asked: Iterable[Any]) -> bool:
        """Whether each recorded question (``end_file`` rows, maybe read back from a file) gets
        the same answer from this index: then an analysis that asked them sees the same tree."""
        for row in asked:
            try:
                question, arguments, answer = row
                if self._answer(question, arguments) != answer:
                    return False
            except Exception:  # noqa: BLE001 - not a row this version writes: a changed tree
                return False
        return True

    def _answer(self, question: str, arguments: Any) -> Any:
        """The answer to ``question``, as JSON data (so that a stored answer compares equal)."""
        return self._QUESTIONS[question](self, *arguments)

    def _asked_now(self, question: str, *arguments: Any) -> Any:
        answer = self._answer(question, arguments)
        self._note(question, arguments, answer)
        return answer

    def _note(self, question: str, arguments: tuple[Any, ...], answer: Any) -> None:
        if self._asked is not None:
            self._asked[json.dumps([question, list(arguments)])] = answer

    # -- the questions ----------------------------------------------------------------------

    def knows(self, name: str, importer: str) -> bool:
        """Whether ``import name`` from ``importer`` means a file of the tree (nothing parsed)."""
        return bool(self._asked_now("knows", name, str(importer)))

    def locate(self, name: str, importer: str) -> tuple[Path, cst.Module] | None:
        """The file and parsed module that ``import name`` means from the file ``importer``."""
        best = self._located(name, str(importer))
        if best is None:
            self._note("locate", (name, str(importer)), None)
            return None
        module = self._parse(best)  # the recorded hash is that of the very bytes parsed
        self._note("locate", (name, str(importer)), [str(best), self._digests[best]])
        return (best, module) if module is not None else None

    def resolve_relative(self, importer: str, level: int, module: str) -> str | None:
        """The dotted name that ``from .. module import x`` in ``importer`` refers to."""
        answer = self._asked_now("relative", str(importer), level, module)
        return answer if isinstance(answer, str) else None

    def container_env(self, path: str) -> dict[str, str]:
        """ENV of the Dockerfiles whose build folder holds ``path`` (the nearest wins)."""
        return dict(self._asked_now("container-env", str(path)))

    def library_covered(self, path: str, functions: Sequence[str], concern: str = "growth") -> bool:
        """Whether the library module ``path``, which trains only inside ``functions`` (its
        top-level functions and classes), is another file's concern: a program of its project
        (a notebook, or a module running code) calls into them and is judged itself, or a
        module of its import graph (what it imports, what imports it, and what those import)
        mentions the setting of ``concern`` (``growth``: enabling GPU memory growth;
        ``preallocation``: XLA's preallocation, see ``gpu_memory_settings``), or the ENV of a
        Dockerfile above one of them makes it. Only files of its project root count, so the
        answer never depends on unrelated files linted alongside."""
        return bool(self._asked_now("library-covered", str(path), sorted(functions), concern))

    def growth_at_import(self, path: str, concern: str = "growth") -> bool:
        """Whether a module of the project that ``path`` imports (directly or through other
        modules) runs code mentioning the setting of ``concern`` when it is imported."""
        return bool(self._asked_now("growth-at-import", str(path), concern))

    def keras2_pin(self, path: str) -> str | None:
        """What pins the project of ``path`` to Keras 2 (``keras<3``, ``tensorflow<2.16``, a
        notebook's ``!pip install keras==2.*``), as ``"file: requirement"``; None if nothing."""
        answer = self._asked_now("keras2-pin", str(path))
        return answer if isinstance(answer, str) else None

    def mentioned_elsewhere(self, text: str, path: str) -> bool:
        """Whether a Python file of the tree other than ``path`` contains ``text``."""
        return bool(self._asked_now("mentioned-elsewhere", text, str(path)))

    def _keras2_pin(self, path: str) -> str | None:
        from keras_lint.analysis.framework_pins import keras2_pin

        return keras2_pin(path)

    def _mentioned_elsewhere(self, text: str, path: str) -> bool:
        for file in self.files:
            if _absolute(file) == _absolute(path):
                continue
            try:
                if text in read_regular_file(file).decode("utf-8", errors="replace"):
                    return True
            except OSError:
                continue
        return False

    def _knows(self, name: str, importer: str) -> bool:
        candidates = self._by_name.get(name, [])
        return any(_absolute(path) != _absolute(importer) for path in candidates)

    def _located(self, name: str, importer: str) -> Path | None:
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        here = Path(importer).parent
        # the candidate sharing the longest leading path with the importer (same folder first)
        best = max(candidates, key=lambda p: _common_length(p.parent, here))
        if _absolute(best) == _absolute(importer):
            return None
        return best

    def _locate_answer(self, name: str, importer: str) -> list[str | None] | None:
        best = self._located(name, importer)
        return None if best is None else [str(best), self._digest(best)]

    def _relative(self, importer: str, level: int, module: str) -> str | None:
        base = _absolute(importer).parent
        for _ in range(level - 1):
            base = base.parent
        return self._by_stem.get(str(base / module.replace(".", "/") if module else base))

    def _container_env(self, path: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        folder = Path(path).resolve().parent
        for ancestor in reversed([folder, *folder.parents]):
            merged.update(self.dockerfile_env.get(ancestor, {}))
        return merged

    def _graph(self, path: str) -> _ImportGraph:
        from keras_lint.discovery import project_root  # the front ends' notion of a project

        root = str(project_root(path))
        graph = self._graphs.get(root)
        if graph is None:
            graph = self._graphs[root] = _ImportGraph(self, root)
        return graph

    def _growth_at_import(self, path: str, concern: str) -> bool:
        graph = self._graph(path)
        target = _absolute(path)
        imported = _closure({target}, graph.imports) - {target}
        names = _MEMORY_SETTING_NAMES[concern]
        return any(graph.runs(module, names) for module in sorted(imported))

    def _library_covered(self, path: str, functions: list[str], concern: str) -> bool:
        graph = self._graph(path)
        target = _absolute(path)
        if graph.called_into(target, set(functions)):
            return True
        related = graph.related(target)
        mention = re.compile("|".join(sorted(_MEMORY_SETTING_NAMES[concern])))
        if any(mention.search(graph.text(file)) for file in related):
            return True
        return any(environment_handles(concern, self._container_env(str(file))) for file in related)

    _QUESTIONS: dict[str, Callable[..., Any]] = {
        "knows": _knows,
        "locate": _locate_answer,
        "relative": _relative,
        "container-env": _container_env,
        "library-covered": _library_covered,
        "growth-at-import": _growth_at_import,
        "keras2-pin": _keras2_pin,
        "mentioned-elsewhere": _mentioned_elsewhere,
    }

    def _digest(self, path: Path) -> str | None:
        """The content hash of a helper module; None when it cannot be read."""
        if path not in self._digests:
            try:
                self._digests[path] = content_digest(read_regular_file(path))
            except OSError:
                self._digests[path] = None
        return self._digests[path]

    def _parse(self, path: Path) -> cst.Module | None:
        if path not in self._parsed:
            try:
                data = read_regular_file(path)
            except OSError:  # an unreadable helper module is simply unknown
                self._digests[path] = None
                self._parsed[path] = None
                return None
            self._digests[path] = content_digest(data)
            try:
                self._parsed[path] = parse_helper_module(decode_python(data))
            except Exception:  # noqa: BLE001 - an unparsable helper module is simply unknown
                self._parsed[path] = None
        return self._parsed[path]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for a worker process: the facts, without parsed trees or interpreted scopes
        (each process makes its own, lazily)."""
        state = dict(self.__dict__)
        state.update(_parsed={}, _digests={}, scope_cache={}, _asked=None, _graphs={})
        return state


#: ``import a.b, c as d`` and ``from ..a import (b, c)`` (names on the first line only)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w. \t,]+)", re.MULTILINE)
_FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+\(?([\w \t,]*)", re.MULTILINE
)
#: how many modules a call chain from a program into a library may pass through
_MAX_CALL_CHAIN = 4


class _ImportGraph:
    """Which files of one project root import which: the modules and notebooks under the
    root, their imports resolved to files under the root (nothing outside it is considered)."""

    def __init__(self, index: ProjectIndex, root: str) -> None:
        prefix = os.path.join(root, "")
        inside = [
            _absolute(p)
            for p in [*index.files, *index.notebooks]
            if str(_absolute(p)).startswith(prefix)
        ]
        self._notebooks = {_absolute(p) for p in index.notebooks} & set(inside)
        self._texts: dict[Path, str] = {
            path: _program_text(path, path in self._notebooks) for path in inside
        }
        scope = set(inside)
        self.imports: dict[Path, set[Path]] = {path: set() for path in inside}
        self.importers: dict[Path, set[Path]] = {path: set() for path in inside}
        for path in inside:
            for name in _imported_names(index, path, self._texts[path]):
                candidates = [
                    _absolute(p) for p in index._by_name.get(name, []) if _absolute(p) in scope
                ]
                if not candidates:
                    continue
                best = max(candidates, key=lambda p: _common_length(p.parent, path.parent))
                if best != path:
                    self.imports[path].add(best)
                    self.importers[best].add(path)

    def text(self, path: Path) -> str:
        return self._texts.get(path, "")

    def related(self, target: Path) -> set[Path]:
        """``target``, the files that import it (transitively), and all that those import."""
        upward = _closure({target}, self.importers)
        return _closure(upward, self.imports)

    def called_into(self, target: Path, functions: set[str]) -> bool:
        """Whether a program of the root calls ``functions`` of ``target``, maybe through
        functions of modules in between."""
        pending = [(target, functions, 0)]
        seen: set[tuple[Path, frozenset[str]]] = set()
        while pending:
            module, names, depth = pending.pop()
            if not names or depth >= _MAX_CALL_CHAIN or (module, frozenset(names)) in seen:
                continue
            seen.add((module, frozenset(names)))
            for importer in sorted(self.importers.get(module, ())):
                runs, through = self._uses(importer, frozenset(names))
                if runs:
                    return True
                pending.append((importer, through, depth + 1))
        return False

    def runs(self, path: Path, names: frozenset[str]) -> bool:
        """Whether the code ``path`` runs when imported or run mentions ``names``."""
        return self._uses(path, names)[0]

    def _uses(self, path: Path, names: frozenset[str]) -> tuple[bool, set[str]]:
        """Whether the code ``path`` runs mentions ``names`` (through its own functions too),
        and its top-level functions and classes that mention them."""
        text = self._texts[path]
        if not names:
            return False, set()
        if path in self._notebooks:  # every cell runs
            pattern = _word_pattern(names)
            return any(
                pattern.search(line) and not _IMPORT_LINE.match(line) for line in text.splitlines()
            ), set()
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return False, set()
        lines = text.splitlines()
        through: set[str] = set()
        wanted = names
        while True:
            pattern = _word_pattern(wanted)
            runs, found = False, set()
            for statement in tree.body:
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    continue
                end = statement.end_lineno or statement.lineno
                if not pattern.search("\n".join(lines[statement.lineno - 1 : end])):
                    continue
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    found.add(statement.name)
                else:
                    runs = True
            if runs or found <= through:
                return runs, through
            through |= found
            wanted = names | through


_IMPORT_LINE = re.compile(r"^\s*(?:import|from)\s")


def _word_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds any of ``names`` as a whole word."""
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in sorted(names)) + r")\b")


def _closure(start: set[Path], edges: dict[Path, set[Path]]) -> set[Path]:
    found = set(start)
    pending = list(start)
    while pending:
        for following in edges.get(pending.pop(), ()):
            if following not in found:
                found.add(following)
                pending.append(following)
    return found


def _program_text(path: Path, notebook: bool) -> str:
    """The code of a module, or of a notebook's code cells; empty when it cannot be read."""
    try:
        data = read_regular_file(path)
    except OSError:
        return ""
    if not notebook:
        return data.decode("utf-8", errors="replace")
    try:
        cells = json.loads(data).get("cells", [])
        sources = [
            cell.get("source", "")
            for cell in cells
            if isinstance(cell, dict) and cell.get("cell_type") == "code"
        ]
    except (ValueError, AttributeError):
        return ""
    return "\n".join("".join(s) if isinstance(s, list) else str(s) for s in sources)


def _imported_names(index: ProjectIndex, path: Path, text: str) -> Iterable[str]:
    """The dotted names the file's import statements may mean (a ``from`` import's names may
    be submodules)."""
    for match in _IMPORT.finditer(text):
        for part in match.group(1).split(","):
            words = part.split()
            if words:
                yield words[0]
    for match in _FROM_IMPORT.finditer(text):
        dots, module, names = match.groups()
        if dots:
            base = index._relative(str(path), len(dots), module)
            if base is None:
                continue
        else:
            base = module
        yield base
        for part in names.split(","):
            words = part.split()
            if words:
                yield f"{base}.{words[0]}"


def content_digest(data: bytes) -> str:
    """The hash that identifies a file's content in the result cache."""
    return hashlib.sha256(data).hexdigest()


def _absolute(path: str | Path) -> Path:
    """``path`` made absolute and normalised (``..`` folded), symlinks left as they are."""
    return Path(os.path.abspath(path))


def _common_length(a: Path, b: Path) -> int:
    count = 0
    for x, y in zip(a.resolve().parts, b.resolve().parts, strict=False):
        if x != y:
            break
        count += 1
    return count
