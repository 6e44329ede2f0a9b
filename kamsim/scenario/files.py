"""Reading scenario files: size and type limits, UTF-8, YAML (duplicate keys, nesting) and TOML."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import Any


from kamsim.scenario._base import _clip, _short


#: Largest scenario file read (bytes, 1 MiB); a real scenario is a few kB.
MAX_FILE_BYTES: int = 1_048_576

#: Deepest nesting of mappings and lists in a scenario file (a scenario needs 4 levels).
MAX_NESTING: int = 32

def _read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark removed); ``ValueError`` naming the file otherwise."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(_clip(f"{path}: cannot read scenario file (not a regular file)"))
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(_too_large(path, info.st_size))
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(_clip(f"{path}: cannot read scenario file ({exc.strerror or exc})")) from None
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise ValueError(_too_large(path, len(raw)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(_clip(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
                               f"save the scenario file as UTF-8")) from None


def _too_large(path: Path, size: int) -> str:
    return _clip(f"{path}: scenario file too large ({size / 1e6:.1f} MB; the limit is "
                 f"{MAX_FILE_BYTES:,} bytes = 1 MiB): a scenario file lists a few dozen fields")


def _parse(text: str, suffix: str, path: Path) -> Any:
    try:
        return _parse_toml(text, path) if suffix == ".toml" else _parse_yaml(text, path)
    except RecursionError:
        raise ValueError(_clip(f"{path}: values nested too deeply")) from None


def _parse_toml(text: str, path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(_clip(f"{path}: invalid TOML ({exc})")) from None


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: about 5x faster on a 1 MB file

    class UniqueKeyLoader(base):  # type: ignore[valid-type,misc]
        """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

        def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
            if isinstance(node, yaml.MappingNode):
                first_line: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        earlier = first_line.setdefault(key, key_node.start_mark.line + 1)
                    except TypeError:  # unhashable key: PyYAML reports it below
                        continue
                    if earlier != key_node.start_mark.line + 1:
                        raise ValueError(_clip(
                            f"{path}: line {key_node.start_mark.line + 1}: key {_short(repr(key))} given twice "
                            f"(first on line {earlier}); give each field once"))
            return super().construct_mapping(node, deep=deep)

    try:
        _check_yaml_nesting(text, base, path)  # libyaml's composer recurses in C: refuse deep nesting first
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ValueError(_clip(f"{path}: invalid YAML ({exc})")) from None


def _check_yaml_nesting(text: str, loader: Any, path: Path) -> None:
    """``ValueError`` if mappings and lists nest deeper than :data:`MAX_NESTING` (one pass over the parse events)."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    line = event.start_mark.line + 1 if event.start_mark is not None else "?"
                    raise ValueError(_clip(f"{path}: line {line}: values nested more than {MAX_NESTING} levels deep "
                                           f"(a scenario needs 4)"))
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as exc:  # PyYAML >= 6.0.4 stops deep flow nesting itself, with its own words
        if "nesting depth" not in str(exc):
            raise
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise ValueError(_clip(f"{path}: line {line}: values nested more than {MAX_NESTING} levels deep "
                               f"(a scenario needs 4)")) from None


