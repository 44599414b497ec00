"""``resnb.testing`` itself: cheap to import, the testing shell exported lazily."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_importing_resnb_testing_imports_no_ipython_until_the_shell_is_used() -> None:
    script = (
        "import json, sys\n"
        "import resnb.testing as testing\n"
        "before = sorted(m for m in sys.modules if m.startswith(('IPython', 'nbclient', 'pytest')))\n"
        "shell = testing.make_testing_shell()\n"
        "print(json.dumps([before, 'IPython' in sys.modules, isinstance(shell, testing.TestingShell)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )

    assert json.loads(done.stdout.splitlines()[-1]) == [[], True, True]


def test_the_shell_is_exported_and_listed() -> None:
    import resnb.testing
    from resnb.testing import TestingShell, make_testing_shell
    from resnb.testing.shell import TestingShell as DefinedHere

    assert TestingShell is DefinedHere and callable(make_testing_shell)
    assert {"TestingShell", "make_testing_shell"} <= set(resnb.testing.__all__) & set(dir(resnb.testing))
    with pytest.raises(AttributeError, match="has no attribute 'TestShell'"):
        resnb.testing.TestShell  # noqa: B018
