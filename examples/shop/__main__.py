"""Run the shop job from the command line: ``cd examples && python -m shop``.

``SHOP_ENV`` chooses the environment (``dev``, the default, or ``prod``, which also reads
``SHOP_DB_PATH`` and ``SHOP_STORAGE_DIR``; see :mod:`shop.environments`). ``SHOP_DB_PASSWORD``
defaults to a throwaway value here, since SQLite ignores it. A configuration problem (an unset
variable, an unknown environment) is printed as one message, exit status 2.
"""

from __future__ import annotations

import os
import sys

from resnb.errors import ConfigError
from shop.environments import defs_for_environment


def main() -> int:
    os.environ.setdefault("SHOP_DB_PASSWORD", "example-only")
    try:
        defs = defs_for_environment()
        result = defs.resolve_job_def("shop_job").execute_in_process()
    except ConfigError as error:
        print(f"shop: {error}", file=sys.stderr)
        return 2
    print(f"environment: {os.environ.get('SHOP_ENV', 'dev')}")
    for record in result.step_records:
        print(f"{record.step_key:15s} {record.status:10s} {record.duration * 1000:7.2f} ms")
    print("daily revenue:", result.asset_value("daily_revenue"))
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
