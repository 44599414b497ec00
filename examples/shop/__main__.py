"""Run the shop job from the command line: ``cd examples && python -m shop``."""

from __future__ import annotations

import os

from shop.definitions import defs


def main() -> int:
    os.environ.setdefault("SHOP_DB_PASSWORD", "example-only")
    result = defs.resolve_job_def("shop_job").execute_in_process()
    for record in result.step_records:
        print(f"{record.step_key:15s} {record.status:10s} {record.duration * 1000:7.2f} ms")
    print("daily revenue:", result.asset_value("daily_revenue"))
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
