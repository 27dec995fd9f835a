"""Frozen config dataclasses from TOML files and ``section.key=value`` overrides.

One generic builder serves every section: unknown keys are errors (a typo must not
silently fall back to a default), values are checked against the field's type,
and each dataclass validates itself in ``__post_init__``. Overrides are parsed as
TOML values, so ``--set search.gumbel=true`` and ``--set training.lr_schedule=[[0, 0.02]]``
mean what they say.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A config file or override that cannot be used; the message names the key."""


def read_toml(path: str | Path) -> dict[str, Any]:
    """The TOML file as a dict; ConfigError with the file name and the parser's reason."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"cannot read config {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"config {path} is not valid TOML: {err}") from None


def apply_override(tree: dict[str, Any], assignment: str) -> None:
    """Apply ``section.key=value`` (value in TOML syntax; bare words are strings) to ``tree``."""
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r} is not of the form section.key=value")
    dotted, text = (part.strip() for part in assignment.split("=", 1))
    keys = dotted.split(".")
    if not all(keys):
        raise ConfigError(f"override {assignment!r} has an empty key")
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        value = text  # a bare word such as a path or a name
    node = tree
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {assignment!r}: {key} is a value, not a section")
        node = child
    node[keys[-1]] = value


def build(cls: type, mapping: dict[str, Any] | None, where: str) -> Any:
    """An instance of dataclass ``cls`` from ``mapping``; ``where`` names the section in errors."""
    if mapping is not None and not isinstance(mapping, dict):  # e.g. `training = 3` or --set training=3
        raise ConfigError(f"{where}: {mapping!r} is not a table of settings")
    mapping = dict(mapping or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(fields))})")
    hints = typing.get_type_hints(cls)
    values = {name: _coerce(value, hints[name], f"{where}.{name}") for name, value in mapping.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        message = str(err)
        for named in (f"{where}: ", f"{where} config: "):  # the dataclasses' own checks name their section too
            message = message.removeprefix(named)
        raise ConfigError(f"{where}: {message}") from None


def to_dict(config: Any) -> dict[str, Any]:
    """A plain dict (nested for nested dataclasses), for TOML/JSON and checkpoints."""
    return dataclasses.asdict(config)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """Check ``value`` against a type hint; ints pass for floats, lists for tuples."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(value, option, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: {value!r} is not a {_name(hint)}")
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: {value!r} is not a list")
        args = typing.get_args(hint)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        if origin is tuple and args:
            if len(args) != len(value):
                raise ConfigError(f"{where}: expected {len(args)} values, got {len(value)}")
            return tuple(_coerce(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        return list(value)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table")
        return build(hint, value, where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: {value!r} is not a number")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: {value!r} is not an integer")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {value!r} is not true or false")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {value!r} is not a string")
        return value
    return value


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", str(hint))
