"""Notebook 02: resources in assets, ops, jobs and graphs (seed 003 assets/ops sections; seed 000 assets, ops, jobs)."""

from cells import code, fails, md, section

FILENAME = "02_resources_in_assets_and_ops.ipynb"

CELLS = [
    section(
        "title",
        """
        # Using resources in assets, ops, jobs and graphs

        An asset or op asks for a resource by naming it as a parameter; whoever runs it supplies the
        resource under that key: `Definitions`, `materialize`, or a job's `resource_defs`. This notebook
        shows plain values as resources (`ResourceParam[T]`), configurable resources in assets, resources
        in ops, `@job` and `@graph` with `to_job`, and how `Definitions` bind resources to assets.

        The HTTP examples call a small JSON API that the notebook serves itself on `127.0.0.1` (from
        `examples/shop/api.py`), so nothing leaves the machine. The standard library's `urllib` (wrapped
        as `fetch_json`) stands in for `requests`.
        """,
    ),
    code(
        """
        import contextlib
        import os
        import sqlite3
        import sys
        import tempfile
        from typing import Any

        import resnb as dg

        sys.path.insert(0, os.path.abspath("../examples"))
        from shop.api import CATALOG, USERS, fetch_json, serve_json

        workdir = tempfile.TemporaryDirectory()
        servers = contextlib.ExitStack()  # closed in the last cell: stops the local APIs
        API_KEY = "local-demo-key"
        open_url = servers.enter_context(serve_json({"/data": {"orders": 4, "status": "ok"}}))
        private_url = servers.enter_context(serve_json({"/users": USERS, "/items": CATALOG}, api_key=API_KEY))
        open_url, private_url
        """
    ),
    section(
        "resource-param",
        """
        ## Plain values as resources: `ResourceParam[T]`

        Any value can be a resource: a string, a dict, a client object from another library. Annotate the
        parameter with `dg.ResourceParam[T]` so it is looked up among the resources (an unannotated
        parameter is an upstream asset). The seed's example, with `fetch_json` for `requests.get(...).json()`:
        """,
    ),
    code(
        """
        @dg.asset
        def data_from_url(data_url: dg.ResourceParam[str]) -> dict[str, Any]:
            return fetch_json(data_url)


        @dg.definitions
        def resources():
            return dg.Definitions(
                assets=[data_from_url],
                resources={"data_url": f"{open_url}/data"},
            )
        """
    ),
    md(
        """
        `@dg.definitions` marks a function that builds the `Definitions` when called (tools call it for
        you). Call it and materialise its assets with its resources:
        """
    ),
    code(
        """
        defs = resources()
        dg.materialize(defs.assets, resources=defs.resources).asset_value("data_from_url")
        """
    ),
    md(
        """
        Without `ResourceParam`, `data_url: str` means "the upstream asset `data_url`", and the error says
        how to fix it:
        """
    ),
    fails(
        """
        @dg.asset
        def data_from_url_unmarked(data_url: str) -> dict[str, Any]:
            return fetch_json(data_url)


        dg.materialize([data_from_url_unmarked], resources={"data_url": f"{open_url}/data"})
        """
    ),
    section(
        "configurable-in-assets",
        """
        ## Configurable resources in assets

        For anything with settings, write a `ConfigurableResource` and annotate the parameter with its
        class. The seed's API client; its key comes from the environment variable `API_KEY`:
        """,
    ),
    code(
        """
        class APIClient(dg.ConfigurableResource):
            base_url: str
            api_key: str
            timeout: int = 30

            def fetch(self, endpoint: str):
                url = f"{self.base_url}/{endpoint}"
                headers = {"Authorization": f"Bearer {self.api_key}"}
                return fetch_json(url, headers=headers, timeout=self.timeout)


        @dg.asset
        def user_data(api: APIClient):
            return api.fetch("users")


        os.environ["API_KEY"] = API_KEY  # set by the deployment in real life
        defs = dg.Definitions(
            assets=[user_data],
            resources={
                "api": APIClient(
                    base_url=private_url,
                    api_key=dg.EnvVar("API_KEY"),
                )
            },
        )
        dg.materialize(defs.assets, resources=defs.resources).asset_value("user_data")
        """
    ),
    md(
        """
        When an asset fails, `materialize` raises the asset's own exception, and the traceback ends in the
        asset's code. Here the same asset runs with a wrong key (a literal, just for the demo) and the API
        answers 401:
        """
    ),
    fails('dg.materialize([user_data], resources={"api": APIClient(base_url=private_url, api_key="wrong")})'),
    md("With `raise_on_error=False` the result reports the failure instead:"),
    code(
        """
        wrong_key = {"api": APIClient(base_url=private_url, api_key="wrong")}
        result = dg.materialize([user_data], resources=wrong_key, raise_on_error=False)
        result.success, result.get_failed_step_keys()
        """
    ),
    md(
        """
        The shop example packages this client as `shop.api.CatalogApi`, with field descriptions and the key
        declared secret, and uses it in `shop.catalog` (`python -m shop.catalog` runs it from a terminal):
        """
    ),
    code(
        """
        from shop.catalog import catalog_defs

        os.environ["SHOP_API_URL"] = private_url
        os.environ["SHOP_API_KEY"] = API_KEY
        print(catalog_defs.resources["api"])
        result = dg.materialize(catalog_defs.assets, resources=catalog_defs.resources)
        result.asset_value("catalog_prices"), result.asset_value("most_expensive_item")
        """
    ),
    section(
        "definitions-binding",
        """
        ## `Definitions` bind resources to assets

        Resources given to `Definitions` are bound to its assets automatically. A job over assets made with
        `define_asset_job` needs no resources of its own: it uses the ones the assets were given.
        """,
    ),
    code(
        """
        defs = dg.Definitions(
            assets=[data_from_url, user_data],
            jobs=[dg.define_asset_job("fetch_everything")],
            resources={
                "data_url": f"{open_url}/data",
                "api": APIClient(base_url=private_url, api_key=dg.EnvVar("API_KEY")),
            },
        )
        result = defs.resolve_job_def("fetch_everything").execute_in_process()
        result.success, result.output_for_node("data_from_url")
        """
    ),
    md("`Definitions.validate_loadable` finds an asset whose resource nobody provides, and names both:"),
    fails(
        """
        incomplete = dg.Definitions(assets=[data_from_url, user_data], resources={"data_url": f"{open_url}/data"})
        dg.Definitions.validate_loadable(incomplete)
        """
    ),
    section(
        "ops",
        """
        ## Using resources in ops

        Ops take resources the same way. The seed's op and job, registered with `@dg.definitions`:
        """,
    ),
    code(
        """
        @dg.op
        def print_data_from_resource(data_url: dg.ResourceParam[str]):
            print(fetch_json(data_url))


        @dg.job
        def print_data_from_url_job():
            print_data_from_resource()


        @dg.definitions
        def resources():
            return dg.Definitions(
                jobs=[print_data_from_url_job],
                resources={"data_url": f"{open_url}/data"},
            )


        resources().resolve_job_def("print_data_from_url_job").execute_in_process().success
        """
    ),
    section(
        "op-resource-keys",
        """
        ## Ops with resource keys, and `@job(resource_defs=...)`

        Ops can also declare the keys they need with `required_resource_keys` and reach the resources
        through `context.resources`. A job maps those keys to resources with `resource_defs`, which is
        handy when there is only one job for the ops, or to configure an off-the-shelf resource in one
        place. The database here is SQLite; `table_0` is created first so the seed's query has something
        to copy.
        """,
    ),
    code(
        """
        class SqliteDatabase(dg.ConfigurableResource):
            \"\"\"A SQLite file that runs one statement per call.\"\"\"

            path: str

            def execute_query(self, query):
                with contextlib.closing(sqlite3.connect(self.path)) as conn, conn:
                    return conn.execute(query).fetchall()

            def tables(self):
                return [name for (name,) in self.execute_query("select name from sqlite_master order by name")]


        def fresh_database(name):
            database = SqliteDatabase(path=os.path.join(workdir.name, f"{name}.sqlite"))
            database.execute_query("create table table_0 as select 1 as id")
            return database


        database_resource = fresh_database("main")
        """
    ),
    code(
        """
        CREATE_TABLE_1_QUERY = "create table table_1 as select * from table_0"


        @dg.op(required_resource_keys={"database"})
        def op_requires_resources(context):
            context.resources.database.execute_query(CREATE_TABLE_1_QUERY)


        @dg.job(resource_defs={"database": database_resource})
        def do_database_stuff_job():
            op_requires_resources()


        do_database_stuff_job.execute_in_process().success, database_resource.tables()
        """
    ),
    section(
        "graph-to-job",
        """
        ## One graph, several jobs: `GraphDefinition.to_job`

        A `@graph` wires ops together without choosing resources. `to_job` turns it into a job with a
        given set of resources, so the same graph becomes, say, a production job and a test job:
        """,
    ),
    code(
        """
        @dg.graph
        def do_database_stuff():
            op_requires_resources()


        prod_database = fresh_database("prod")
        test_database = fresh_database("test")
        prod_job = do_database_stuff.to_job(name="prod_job", resource_defs={"database": prod_database})
        test_job = do_database_stuff.to_job(name="test_job", resource_defs={"database": test_database})

        test_job.execute_in_process()
        {"prod": prod_database.tables(), "test": test_database.tables()}
        """
    ),
    md("Only the test database got `table_1`. Now the production job:"),
    code(
        """
        prod_job.execute_in_process()
        {"prod": prod_database.tables(), "test": test_database.tables()}
        """
    ),
    md("Plain values work in `resource_defs` too, so a graph of `ResourceParam` ops can be retargeted:"),
    code(
        """
        @dg.graph
        def print_data():
            print_data_from_resource()


        local_job = print_data.to_job(name="local_job", resource_defs={"data_url": f"{open_url}/data"})
        local_job.execute_in_process().success
        """
    ),
    section(
        "graph-inputs",
        """
        ## A graph with inputs

        A graph function may take inputs of its own. Its ops get them at launch, from
        `input_values=` (any Python value) or from run config's `inputs` section, and what the graph
        returns is read with `result.output_value()`:
        """,
    ),
    code(
        """
        @dg.op
        def row_count(database: SqliteDatabase, table: str) -> int:
            return database.execute_query(f'select count(*) from "{table}"')[0][0]


        @dg.graph
        def count_rows(table):
            return row_count(table)


        count_job = count_rows.to_job(name="count_job", resource_defs={"database": prod_database})
        (
            count_job.execute_in_process(input_values={"table": "table_0"}).output_value(),
            count_job.execute_in_process(run_config={"inputs": {"table": "table_1"}}).output_value(),
        )
        """
    ),
    md("An input left out is a config error that says how to give it:"),
    fails(
        """
        count_job.execute_in_process()
        """
    ),
    section(
        "cleanup",
        """
        ## Clean up

        Stop the local APIs, remove the temporary files and the variables this notebook set.
        Next: `03_dependencies_and_factories.ipynb`.
        """,
    ),
    code(
        """
        servers.close()
        workdir.cleanup()
        for name in ("API_KEY", "SHOP_API_URL", "SHOP_API_KEY"):
            os.environ.pop(name, None)
        """
    ),
]
