"""A Jupyter kernel manager whose kernel is IPython on the interpreter running resnb.

No kernelspec has to be installed: the spec is the one ipykernel would install, bound to
``sys.executable``, so a notebook run from a virtual environment sees exactly the packages of that
environment. Where jupyter_client and ipykernel support it, the kernel's sockets are encrypted.
This module imports jupyter_client and ipykernel, so :mod:`resnb.testing.runner` imports it only
when a notebook runs.
"""

from __future__ import annotations

from typing import Any

from ipykernel.kernelspec import get_kernel_dict
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = ["CurrentInterpreterKernelManager", "current_interpreter_spec"]


def current_interpreter_spec() -> KernelSpec:
    """The kernelspec of an IPython kernel on ``sys.executable`` (``-m ipykernel_launcher``)."""
    spec = get_kernel_dict()
    return KernelSpec(**{key: value for key, value in spec.items() if KernelSpec.class_traits().get(key)})


class CurrentInterpreterKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that always launches :func:`current_interpreter_spec`.

    Its ``kernel_name`` keeps the default (``python3``) so that clients such as nbclient still treat
    the kernel as an ipykernel; the kernelspec of that name is never looked up.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.has_trait("transport_encryption"):  # newer jupyter_client: CurveZMQ when the spec allows
            self.transport_encryption = "auto"

    @property
    def kernel_spec(self) -> KernelSpec:
        """The current interpreter's kernelspec, whatever ``kernel_name`` says."""
        if self._kernel_spec is None:
            self._kernel_spec = current_interpreter_spec()
        return self._kernel_spec
