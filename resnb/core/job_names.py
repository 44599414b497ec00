"""The names of the jobs resnb makes itself, and how messages refer to a job.

``Definitions`` runs all its assets as the implicit job ``__ASSET_JOB`` and ``materialize()`` runs
its assets as ``__ephemeral_asset_job__`` (Dagster's names, visible as ``result.job_def.name``).
Users never wrote those names, so messages describe those jobs by where the assets came from.
"""

from __future__ import annotations

__all__ = [
    "EPHEMERAL_ASSET_JOB",
    "IMPLICIT_ASSET_JOB",
    "describe_job",
    "describe_job_assets",
    "is_implicit_job",
]

IMPLICIT_ASSET_JOB = "__ASSET_JOB"
EPHEMERAL_ASSET_JOB = "__ephemeral_asset_job__"

_IMPLICIT_ASSETS = "the Definitions' assets"
_EPHEMERAL_ASSETS = "the assets given to materialize()"


def is_implicit_job(name: str) -> bool:
    """True for the jobs resnb names itself: the Definitions' asset job and materialize()'s."""
    return name in (IMPLICIT_ASSET_JOB, EPHEMERAL_ASSET_JOB)


def describe_job(name: str) -> str:
    """``job 'name'`` for a user's job; the assets it runs for one resnb made itself."""
    if name == IMPLICIT_ASSET_JOB:
        return _IMPLICIT_ASSETS
    if name == EPHEMERAL_ASSET_JOB:
        return _EPHEMERAL_ASSETS
    return f"job '{name}'"


def describe_job_assets(name: str) -> str:
    """The assets of job ``name``: ``the assets of job 'name'``, or as :func:`describe_job`."""
    return describe_job(name) if is_implicit_job(name) else f"the assets of job '{name}'"
