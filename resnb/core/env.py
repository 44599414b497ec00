"""``EnvVar``: a reference to an environment variable, resolved at every build and every run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from resnb.errors import EnvVarError

__all__ = ["EnvVar", "IntEnvVar", "contains_env_ref", "is_env_ref", "unset_env_var_error"]


class EnvVar(str):
    """A reference to the environment variable ``name``, read when a resource is built or run.

    Nothing is read at definition time: ``DatabaseResource(password=EnvVar("DB_PASSWORD"))`` keeps
    the reference, and every ``build_resources``/``materialize`` reads the variable again. The
    value never appears in a repr, error message or notebook output; only the name does.

    Like Dagster's, it is a ``str`` whose text is the variable *name*, so it validates for ``str``
    fields. Use :meth:`EnvVar.int` for ``int`` fields.
    """

    __slots__ = ()

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        """A reference to an environment variable holding a whole number, for ``int`` fields."""
        return IntEnvVar(name)

    @property
    def env_var_name(self) -> str:
        """The variable's name."""
        return str.__str__(self)

    @property
    def name(self) -> str:
        """The variable's name (alias of :attr:`env_var_name`)."""
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str | None:
        """The variable's current value, or ``default`` when it is unset."""
        return os.environ.get(self.env_var_name, default)

    def resolve(self, where: str) -> str:
        """The current value; an :class:`EnvVarError` naming the variable and ``where`` if unset."""
        value = os.environ.get(self.env_var_name)
        if value is None:
            raise unset_env_var_error([(self.env_var_name, where)])
        return value

    def __str__(self) -> str:
        raise RuntimeError(
            f"Attempted to read {self!r} directly. EnvVar defers resolution to build and run "
            "time: use the resource's field inside an asset, op or setup_for_execution (it holds "
            "the value there), or call .get_value()."
        )

    def __repr__(self) -> str:
        return f"EnvVar({self.env_var_name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (EnvVar, (self.env_var_name,))


class IntEnvVar(int):
    """A reference to an environment variable holding an ``int`` (see :meth:`EnvVar.int`).

    An ``int`` subclass with value 0, so it validates for ``int`` fields until it is resolved.
    """

    def __new__(cls, name: str) -> IntEnvVar:
        obj = super().__new__(cls, 0)
        obj.__dict__["_name"] = name
        return obj

    @property
    def env_var_name(self) -> str:
        """The variable's name."""
        return self.__dict__["_name"]

    @property
    def name(self) -> str:
        """The variable's name (alias of :attr:`env_var_name`)."""
        return self.__dict__["_name"]

    def get_value(self, default: int | None = None) -> int | None:
        """The variable's current value as an int, or ``default`` when it is unset."""
        raw = os.environ.get(self.env_var_name)
        return default if raw is None else int(raw)

    def resolve(self, where: str) -> int:
        """The current value as an int; an :class:`EnvVarError` if unset or not a whole number."""
        raw = EnvVar(self.env_var_name).resolve(where)
        try:
            return int(raw.strip())
        except ValueError:
            raise EnvVarError(
                f'Environment variable "{self.env_var_name}" read by {where} cannot be converted '
                f'to an int (EnvVar.int("{self.env_var_name}") needs a whole number such as 5432). '
                "Fix the variable's value, or use EnvVar for a str field."
            ) from None

    def __repr__(self) -> str:
        return f"EnvVar.int({self.env_var_name!r})"

    def __str__(self) -> str:
        return repr(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (IntEnvVar, (self.env_var_name,))


def is_env_ref(value: object) -> bool:
    """True for an :class:`EnvVar` or :class:`IntEnvVar`."""
    return type(value) is EnvVar or type(value) is IntEnvVar


def contains_env_ref(value: object) -> bool:
    """True for an env var reference, or a list, tuple or dict (values) holding one."""
    if is_env_ref(value):
        return True
    if isinstance(value, (list, tuple)):
        return any(is_env_ref(v) for v in value)
    if isinstance(value, dict):
        return any(is_env_ref(v) for v in value.values())
    return False


def unset_env_var_error(missing: Sequence[tuple[str, str]]) -> EnvVarError:
    """One error for unset variables: ``missing`` holds (variable name, what reads it) pairs.

    The advice suits both a shell (the ``resnb`` command) and Python (a notebook or script).
    """
    names = list(dict.fromkeys(name for name, _ in missing))
    first = names[0]
    how = f"export {first}=... in a shell, or os.environ[{first!r}] = ... in Python"
    if len(missing) == 1:
        return EnvVarError(
            f'Environment variable "{first}" is not set, but {missing[0][1]} reads it '
            f'(EnvVar("{first}")). Set it in the environment ({how}) or pass a value directly.'
        )
    subject = (
        f'Environment variable "{first}" is'
        if len(names) == 1
        else (f"Environment variables {', '.join(names)} are")
    )
    readers = "".join(f"\n  {name}: {where}" for name, where in missing)
    return EnvVarError(
        f"{subject} not set, but the resources being built read {'it' if len(names) == 1 else 'them'}:"
        f"{readers}\n"
        f"Set {'it' if len(names) == 1 else 'each'} in the environment (for example {how}) or pass "
        "values directly."
    )
