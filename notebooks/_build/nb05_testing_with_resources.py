"""Notebook 05: testing with resources (seed 003 testing sections; seed 000 "outside of execution")."""

from cells import code, md, section

FILENAME = "05_testing_with_resources.ipynb"

CELLS = [
    section(
        "title",
        """
        # Testing with resources

        Because assets receive their resources instead of creating them, a test decides what they get: the
        real thing pointed at a throwaway database, or a fake that never touches the network. This notebook
        tests the resource classes themselves, assets through `materialize`, assets and ops called
        directly, and resources on their own with `build_resources`. It ends with a few pytest-style test
        functions, run inline.

        The code under test is the shop example (`examples/shop`): a `Warehouse` resource (SQLite) and the
        assets `raw_orders` → `clean_orders` → `daily_revenue`.
        """,
    ),
    code(
        """
        import inspect
        import os
        import sys
        import tempfile
        from pathlib import Path
        from unittest import mock

        import resnb as dg

        sys.path.insert(0, os.path.abspath("../examples"))
        from shop.definitions import Warehouse, clean_orders, daily_revenue, raw_orders

        workdir = tempfile.TemporaryDirectory()
        """
    ),
    section(
        "test-resource",
        """
        ## Testing a resource directly

        A resource is an ordinary object: construct it and call its methods. The seed's example, run as a
        test function:
        """,
    ),
    code(
        """
        class MyResource(dg.ConfigurableResource):
            value: str

            def get_value(self) -> str:
                return self.value


        def test_my_resource():
            # Test the resource directly
            resource = MyResource(value="foo")
            assert resource.get_value() == "foo"


        test_my_resource()
        """
    ),
    section(
        "materialize-in-tests",
        """
        ## Testing an asset with `materialize`

        `dg.materialize(assets, resources=...)` runs assets with exactly the resources the test gives. It
        raises if an asset fails (so a failing asset fails the test with its own traceback), and the result
        holds every value:
        """,
    ),
    code(
        """
        @dg.asset
        def data_asset(my_resource: MyResource):
            return my_resource.get_value()


        def test_asset_with_resource():
            # Test asset with a mock resource
            result = dg.materialize(
                [data_asset],
                resources={"my_resource": MyResource(value="test_value")},
            )
            assert result.success
            assert result.asset_value("data_asset") == "test_value"


        test_asset_with_resource()
        """
    ),
    md(
        """
        For the shop, the "real" warehouse is cheap: a SQLite file in a temporary directory gives each test
        its own database.
        """
    ),
    code(
        """
        test_warehouse = Warehouse(path=os.path.join(workdir.name, "test.sqlite"), password="test-only")
        result = dg.materialize([raw_orders, clean_orders, daily_revenue], resources={"warehouse": test_warehouse})
        result.asset_value("daily_revenue")
        """
    ),
    section(
        "mocks",
        """
        ## Substituting mocks and fakes

        A test can hand an asset any object that behaves like the resource. A hand-written fake documents
        what the asset relies on; `unittest.mock.MagicMock` records how it was called.
        """,
    ),
    code(
        """
        class FakeWarehouse:
            \"\"\"Answers every select with fixed rows and records every statement.\"\"\"

            def __init__(self, rows):
                self.rows = rows
                self.statements = []

            def query(self, sql, *params):
                self.statements.append(sql.split()[0])
                return self.rows if sql.startswith("select") else []


        fake = FakeWarehouse(rows=[("2026-11-01", "tea", 2, 4.5), ("2026-11-02", "cake", 1, 6.0)])
        result = dg.materialize([raw_orders, clean_orders, daily_revenue], resources={"warehouse": fake})
        result.asset_value("daily_revenue"), fake.statements
        """
    ),
    code(
        """
        warehouse = mock.MagicMock()
        warehouse.query.return_value = [("2026-11-01", "coffee", 3, 3.0)]
        result = dg.materialize([raw_orders, clean_orders, daily_revenue], resources={"warehouse": warehouse})
        result.asset_value("daily_revenue"), warehouse.query.call_count
        """
    ),
    section(
        "direct-invocation",
        """
        ## Calling assets and ops directly

        An asset is still a function: call it with its upstream values as arguments and its resources as
        keyword arguments. Resources given this way are initialised for the call (so `Warehouse`'s
        `setup_for_execution` opens its connection) and torn down after it.
        """,
    ),
    code(
        """
        rows = [("2026-11-01", "tea", 2, 4.5), ("2026-11-01", "tea", -1, 4.5)]
        print(daily_revenue(rows))
        print(raw_orders(warehouse=test_warehouse))
        print(clean_orders(4, warehouse=FakeWarehouse(rows=rows[:1])))
        """
    ),
    md(
        """
        Assets and ops that take a `context` get one from `dg.build_asset_context` / `dg.build_op_context`,
        with the resources the test chooses. Used as a context manager, the resources are torn down at the
        end of the block:
        """
    ),
    code(
        """
        @dg.asset(required_resource_keys={"warehouse"})
        def order_count(context):
            context.log.info("counting orders")
            return context.resources.warehouse.query("select count(*) from orders")[0][0]


        @dg.op(required_resource_keys={"warehouse"})
        def count_refunds(context):
            return context.resources.warehouse.query("select count(*) from orders where qty < 0")[0][0]


        with dg.build_asset_context(resources={"warehouse": test_warehouse}) as context:
            print("orders:", order_count(context))
        with dg.build_op_context(resources={"warehouse": test_warehouse}) as context:
            print("refunds:", count_refunds(context))
        """
    ),
    section(
        "nested-testing",
        """
        ## Testing with nested resources

        Nested resources are built the same way: construct the inner one, pass it to the outer one. The
        seed's test, run as written:
        """,
    ),
    code(
        """
        class StringHolderResource(dg.ConfigurableResource):
            value: str


        class MyResourceRequiresAnother(dg.ConfigurableResource):
            foo: StringHolderResource
            bar: str


        def test_my_resource_with_nesting():
            string_holder = StringHolderResource(value="foo")
            resource = MyResourceRequiresAnother(foo=string_holder, bar="bar")
            assert resource.foo.value == "foo"
            assert resource.bar == "bar"


        test_my_resource_with_nesting()
        """
    ),
    section(
        "build-resources",
        """
        ## Resources outside of execution: `build_resources`

        `dg.build_resources` initialises resources outside any run, exactly as a run would: it reads
        `EnvVar`s, runs `setup_for_execution` (or the generator of a `@resource`) and tears everything
        down when the `with` block ends. Use it in tests, scripts and notebooks to reuse a resource's code
        on its own.
        """,
    ),
    code(
        """
        os.environ["SHOP_DB_PASSWORD"] = "test-only"
        warehouse = Warehouse(path=test_warehouse.path, password=dg.EnvVar("SHOP_DB_PASSWORD"))
        with dg.build_resources({"warehouse": warehouse}) as resources:
            print(resources.warehouse.query("select item, qty from orders order by item"))
            print(resources)
        """
    ),
    md(
        """
        The seed's legacy example: a context-manager `@resource` (notebook 04). The connection is live
        inside the block and closed after it:
        """
    ),
    code(
        """
        import sqlite3

        closed = []


        def get_db_connection():
            return sqlite3.connect(test_warehouse.path)


        def cleanup_db_connection(db_conn):
            db_conn.close()
            closed.append(True)


        @dg.resource
        def db_connection(init_context):
            try:
                db_conn = get_db_connection()
                yield db_conn
            finally:
                cleanup_db_connection(db_conn)


        with dg.build_resources({"db_connection": db_connection}) as resources:
            db_conn = resources.db_connection
            print(db_conn.execute("select count(*) from orders").fetchone())
        closed
        """
    ),
    section(
        "pytest-style",
        """
        ## A small test suite, pytest style

        The same ideas as a test module would write them. Each test takes pytest's `tmp_path` fixture
        for its own database. Pasted into a `test_shop.py`, they run unchanged under `pytest`; here a
        ten-line runner calls them, giving each a fresh temporary directory.
        """,
    ),
    code(
        """
        SHOP_ASSETS = [raw_orders, clean_orders, daily_revenue]


        def test_clean_orders_drops_refunds(tmp_path):
            warehouse = Warehouse(path=str(tmp_path / "shop.sqlite"), password="test-only")
            result = dg.materialize(SHOP_ASSETS, resources={"warehouse": warehouse}, selection="+clean_orders")
            assert all(qty > 0 for _day, _item, qty, _price in result.asset_value("clean_orders"))


        def test_daily_revenue_sums_quantity_times_price():
            rows = [("d1", "tea", 2, 4.5), ("d1", "cake", 1, 6.0), ("d2", "tea", 1, 4.5)]
            assert daily_revenue(rows) == {"d1": 15.0, "d2": 4.5}


        def test_pipeline_with_fake_warehouse():
            fake = FakeWarehouse(rows=[("d1", "tea", 1, 4.5)])
            result = dg.materialize(SHOP_ASSETS, resources={"warehouse": fake})
            assert result.asset_value("daily_revenue") == {"d1": 4.5}
            assert fake.statements[:2] == ["create", "delete"]


        def test_missing_password_names_the_variable(tmp_path):
            os.environ.pop("SHOP_DB_NO_SUCH_PASSWORD", None)
            warehouse = Warehouse(path=str(tmp_path / "x.sqlite"), password=dg.EnvVar("SHOP_DB_NO_SUCH_PASSWORD"))
            try:
                dg.materialize(SHOP_ASSETS, resources={"warehouse": warehouse})
            except dg.DagsterInvalidConfigError as error:
                assert "SHOP_DB_NO_SUCH_PASSWORD" in str(error)
            else:
                raise AssertionError("materialize should have failed")
        """
    ),
    code(
        """
        def run_tests(namespace):
            \"\"\"Call every test_* function in ``namespace``, with a fresh tmp_path where asked.\"\"\"
            for name, test in sorted(namespace.items()):
                if not (name.startswith("test_") and callable(test)):
                    continue
                with tempfile.TemporaryDirectory() as tmp:
                    wants_tmp = "tmp_path" in inspect.signature(test).parameters
                    test(**({"tmp_path": Path(tmp)} if wants_tmp else {}))
                print(f"PASSED {name}")


        run_tests(dict(globals()))
        """
    ),
    section(
        "best-practices",
        """
        ## Best practices for tests

        - Unit-test resource classes first (construct, call methods), then assets with `materialize`.
        - Prefer a real but disposable backend (SQLite in `tmp_path`) where it is cheap, and fakes where
          the real thing is slow, remote or costs money.
        - Keep `EnvVar`s in the definitions, and set or unset variables in the test (pytest's
          `monkeypatch.setenv`), rather than hardcoding secrets in test resources.

        Next: `06_legacy_resource_api.ipynb`. Clean up:
        """,
    ),
    code(
        """
        os.environ.pop("SHOP_DB_PASSWORD", None)
        workdir.cleanup()
        """
    ),
]
