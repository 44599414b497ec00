"""``python -m resnb``: the same as the ``resnb`` command."""

from resnb.cli import main

raise SystemExit(main())
