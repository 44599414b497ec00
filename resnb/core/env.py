"""``EnvVar``: a reference to an environment variable, resolved at every build and every run."""

from __future__ import annotations

import os
from typing import Any

from resnb.errors import EnvVarError

__all__ = ["EnvVar", "IntEnvVar", "is_env_ref"]


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
            raise EnvVarError(
                f'Environment variable "{self.env_var_name}" is not set, but {where} reads it '
                f'(EnvVar("{self.env_var_name}")). Set it in the environment of this process '
                f"(for example os.environ[{self.env_var_name!r}] = ... before building) or pass "
                "a value directly."
            )
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
