"""The shop example: importable, runnable as ``python -m shop`` / ``python -m shop.catalog``, offline."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

import resnb as dg


def test_definitions_load(examples_on_path: Path) -> None:
    from shop.catalog import catalog_defs
    from shop.definitions import defs

    dg.Definitions.validate_loadable(defs)
    dg.Definitions.validate_loadable(catalog_defs)
    assert "shop_job" in defs.job_names


def test_python_m_shop_runs_the_job_in_dev(run_example, tmp_path: Path) -> None:
    completed = run_example("shop")
    assert completed.returncode == 0, completed.stderr
    assert "environment: dev" in completed.stdout
    assert "daily revenue: {'2026-11-01': 16.5, '2026-11-02': 12.0}" in completed.stdout
    assert (tmp_path / "resnb_shop.sqlite").exists()


def test_python_m_shop_in_prod_stores_values_under_the_storage_dir(run_example, tmp_path: Path) -> None:
    completed = run_example(
        "shop",
        SHOP_ENV="prod",
        SHOP_DB_PATH=str(tmp_path / "prod.sqlite"),
        SHOP_STORAGE_DIR=str(tmp_path / "storage"),
        SHOP_DB_PASSWORD="prod-secret-value",
    )
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in (tmp_path / "storage").iterdir()) == [
        "clean_orders",
        "daily_revenue",
        "raw_orders",
    ]
    assert "prod-secret-value" not in completed.stdout + completed.stderr


def test_unknown_environment_is_named_with_a_suggestion(run_example) -> None:
    completed = run_example("shop", SHOP_ENV="prdo")
    assert completed.returncode != 0
    assert "Unknown shop environment 'prdo'" in completed.stderr
    assert "Did you mean 'prod'?" in completed.stderr


def test_prod_without_its_variables_names_the_missing_one(
    examples_on_path: Path, env, tmp_path: Path
) -> None:
    from shop.environments import defs_for_environment

    env.setenv("SHOP_DB_PASSWORD", "x")
    env.setenv("SHOP_STORAGE_DIR", str(tmp_path))
    env.delenv("SHOP_DB_PATH", raising=False)
    job = defs_for_environment("prod").resolve_job_def("shop_job")
    with pytest.raises(dg.DagsterInvalidConfigError, match="SHOP_DB_PATH"):
        job.execute_in_process()


def test_resnb_materialize_loads_shop_environments_and_reuses_stored_upstream_values(
    run_example, tmp_path: Path
) -> None:
    prod = {
        "SHOP_ENV": "prod",
        "SHOP_DB_PATH": str(tmp_path / "prod.sqlite"),
        "SHOP_STORAGE_DIR": str(tmp_path / "storage"),
        "SHOP_DB_PASSWORD": "prod-secret-value",
    }
    first = run_example("resnb", "materialize", "shop.environments", "raw_orders", "clean_orders", **prod)
    second = run_example("resnb", "materialize", "shop.environments", "daily_revenue", **prod)

    assert first.returncode == 0, first.stderr
    assert [line.split()[:2] for line in first.stdout.splitlines()[:2]] == [
        ["succeeded", "raw_orders"],
        ["succeeded", "clean_orders"],
    ]
    assert second.returncode == 0, second.stderr
    assert [line.split()[:2] for line in second.stdout.splitlines()] == [
        ["succeeded", "daily_revenue"],
        ["materialized", "1"],
    ], "clean_orders is loaded from the FilesystemIOManager, not recomputed"
    assert "prod-secret-value" not in first.stdout + first.stderr + second.stdout + second.stderr


def test_python_m_shop_catalog_serves_and_reads_the_local_api(run_example) -> None:
    completed = run_example("shop.catalog")
    assert completed.returncode == 0, completed.stderr
    assert "catalog prices: {'tea': 4.5, 'coffee': 3.0, 'cake': 6.0}" in completed.stdout
    assert "most expensive: cake" in completed.stdout


def test_serve_json_answers_routes_checks_the_key_and_stops(examples_on_path: Path) -> None:
    from shop.api import CatalogApi, fetch_json, serve_json

    with serve_json({"/items": {"tea": 1}}, api_key="k") as base_url:
        assert CatalogApi(base_url=base_url, api_key="k").fetch("items") == {"tea": 1}
        with pytest.raises(RuntimeError, match="HTTP 401"):
            fetch_json(f"{base_url}/items")
        with pytest.raises(RuntimeError, match=r"HTTP 404.*no route /other.*/items"):
            fetch_json(f"{base_url}/other", headers={"Authorization": "Bearer k"})
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base_url}/items", timeout=5)


def test_catalog_api_key_is_never_shown(examples_on_path: Path) -> None:
    from shop.api import CatalogApi

    client = CatalogApi(base_url="http://127.0.0.1:1", api_key="very-secret-key")
    assert "very-secret-key" not in repr(client)
    assert "very-secret-key" not in str(client.model_dump())
