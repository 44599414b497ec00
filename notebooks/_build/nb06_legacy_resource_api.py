"""Notebook 06: the legacy @resource API (seed 000: defining, assets, ops, dependencies, @repository)."""

from cells import code, fails, md, section

FILENAME = "06_legacy_resource_api.ipynb"

CELLS = [
    section(
        "title",
        """
        # The legacy `@resource` API

        Before `ConfigurableResource`, resources were functions decorated with `@resource`, and assets and
        ops asked for them by key with `required_resource_keys`. Much existing code is written this way,
        and resnb runs it unchanged. This notebook covers `@resource` and its `init_context`, config
        schemas, resource-to-resource dependencies, `with_resources` and `@repository`, and the
        `ResourceDefinition` helpers (hardcoded, mock, none and string resources, `configured`).

        For new code prefer `ConfigurableResource` (notebook 01): it brings type checking, validation and
        editor support. Both kinds mix freely in one `Definitions`.
        """,
    ),
    code(
        """
        import os
        import sqlite3
        import tempfile

        import resnb as dg

        workdir = tempfile.TemporaryDirectory()
        """
    ),
    section(
        "resource-decorator",
        """
        ## Defining a resource with `@resource`

        Decorate a function that takes an `init_context` (an `InitResourceContext`) as its first
        parameter, and return (or yield) the object that assets and ops should receive. The decorator
        returns a `ResourceDefinition`; you almost never construct that class yourself. The seed's example:
        """,
    ),
    code(
        """
        class ExternalCerealFetcher:
            def fetch_new_cereals(self, start_ts, end_ts):
                return [f"cereal released between {start_ts} and {end_ts}"]


        @dg.resource
        def cereal_fetcher(init_context):
            return ExternalCerealFetcher()


        type(cereal_fetcher).__name__, isinstance(cereal_fetcher, dg.ResourceDefinition)
        """
    ),
    md("`build_resources` (notebook 05) initialises it; the value is what the function returned:"),
    code(
        """
        with dg.build_resources({"cereal_fetcher": cereal_fetcher}) as resources:
            print(resources.cereal_fetcher.fetch_new_cereals(2024, 2025))
        """
    ),
    section(
        "init-context",
        """
        ## `init_context`: config, logging, other resources

        A resource with a `config_schema` reads its processed config from `init_context.resource_config`.
        The schema is a dict of types, with `dg.Field` for defaults and descriptions. Config comes from run
        config (`resources.<key>.config`) or from `.configured(...)` (below).
        """,
    ),
    code(
        """
        @dg.resource(
            config_schema={
                "path": dg.Field(str, description="SQLite file"),
                "timeout": dg.Field(float, default_value=5.0, description="Seconds to wait for a lock"),
            }
        )
        def sqlite_database(init_context):
            config = init_context.resource_config
            init_context.log.info("opening %s", config["path"])
            conn = sqlite3.connect(config["path"], timeout=config["timeout"])
            try:
                yield conn
            finally:
                conn.close()


        db_path = os.path.join(workdir.name, "cereals.sqlite")
        with dg.build_resources(
            {"database": sqlite_database}, resource_config={"database": {"config": {"path": db_path}}}
        ) as resources:
            print(resources.database.execute("select sqlite_version()").fetchone())
        """
    ),
    md("Config that does not match the schema names the resource and the field:"),
    fails(
        """
        with dg.build_resources(
            {"database": sqlite_database}, resource_config={"database": {"config": {"pth": db_path}}}
        ) as resources:
            pass
        """
    ),
    md(
        """
        A resource function can also be called directly, as in a unit test, with a context from
        `dg.build_init_resource_context`:
        """
    ),
    code("cereal_fetcher(dg.build_init_resource_context())"),
    section(
        "assets-required-keys",
        """
        ## Resources for assets, by key

        A legacy-style asset declares `required_resource_keys` and reads `context.resources.<key>`.
        Resources given to `Definitions` are bound to its assets automatically, and a job made with
        `define_asset_job` uses them without being given any:
        """,
    ),
    code(
        """
        @dg.resource
        def foo_resource(init_context):
            return "foo-value"


        @dg.asset(required_resource_keys={"foo"})
        def asset_requires_resource(context):
            return context.resources.foo.upper()


        defs = dg.Definitions(
            assets=[asset_requires_resource],
            jobs=[dg.define_asset_job("foo_job")],
            resources={"foo": foo_resource},
        )
        defs.resolve_job_def("foo_job").execute_in_process().output_for_node("asset_requires_resource")
        """
    ),
    section(
        "ops-required-keys",
        """
        ## Resources for ops and jobs, by key

        Ops use resource keys the same way, and a job supplies the resources in `resource_defs` (with
        `@job`, or `GraphDefinition.to_job` for several jobs from one graph; see notebook 02). The seed's
        database example with a small recording stand-in for the database:
        """,
    ),
    code(
        """
        class RecordingDatabase:
            def __init__(self):
                self.queries = []

            def execute_query(self, query):
                self.queries.append(query)


        database = RecordingDatabase()


        @dg.resource
        def database_resource(init_context):
            return database


        CREATE_TABLE_1_QUERY = "create table_1 as select * from table_0"


        @dg.op(required_resource_keys={"database"})
        def op_requires_resources(context):
            context.resources.database.execute_query(CREATE_TABLE_1_QUERY)


        @dg.job(resource_defs={"database": database_resource})
        def do_database_stuff_job():
            op_requires_resources()


        do_database_stuff_job.execute_in_process().success, database.queries
        """
    ),
    md("A job that lacks a key one of its ops needs fails before any op runs, naming the op and the key:"),
    fails(
        """
        @dg.job(resource_defs={"databse": database_resource})
        def misspelt_job():
            op_requires_resources()


        misspelt_job.execute_in_process()
        """
    ),
    section(
        "resource-dependencies",
        """
        ## Resources that depend on other resources

        `@resource(required_resource_keys={...})` declares the resources this one needs; they are
        initialised first and reachable through `init_context.resources`:
        """,
    ),
    code(
        """
        class Client:
            def __init__(self, username, password):
                self.username = username
                self._password = password

            def __repr__(self):
                return f"Client(username={self.username!r})"


        @dg.resource
        def credentials(init_context):
            return ("bad_username", "easy_password")


        @dg.resource(required_resource_keys={"credentials"})
        def client(init_context):
            username, password = init_context.resources.credentials
            return Client(username, password)


        with dg.build_resources({"credentials": credentials, "client": client}) as resources:
            print(resources.client)
        """
    ),
    fails(
        """
        with dg.build_resources({"client": client}) as resources:
            pass
        """
    ),
    section(
        "repository",
        """
        ## `@repository` and `with_resources`

        Code organised with `@repository` (instead of `Definitions`) provides resources to assets with
        `with_resources`: it returns **copies** of the assets, bound to the resources they need.
        """,
    ),
    code(
        """
        @dg.repository
        def repo():
            return [
                *dg.with_resources(
                    definitions=[asset_requires_resource],
                    resource_defs={"foo": foo_resource},
                )
            ]


        repo, [job.name for job in repo.get_all_jobs()]
        """
    ),
    code('repo.get_job("__ASSET_JOB").execute_in_process().output_for_node("asset_requires_resource")'),
    md(
        """
        Because `with_resources` returns a copy, loading the original asset **and** its copy in the same
        place defines the asset twice. The error names the asset and both definitions; the seed's advice is
        to call `with_resources` inside the repository function, as above, not at module level next to the
        original.
        """
    ),
    fails(
        """
        bound_copy = dg.with_resources([asset_requires_resource], resource_defs={"foo": foo_resource})
        dg.Definitions.validate_loadable(dg.Definitions(assets=[asset_requires_resource, *bound_copy]))
        """
    ),
    section(
        "helpers",
        """
        ## `ResourceDefinition` helpers

        Four static helpers build common resources without writing a function:

        - `hardcoded_resource(value)`: the value itself,
        - `mock_resource()`: a fresh `unittest.mock.MagicMock` per run, for tests,
        - `none_resource()`: `None`, for a key that must exist but is unused,
        - `string_resource()`: its `str` config.
        """,
    ),
    code(
        """
        helpers = {
            "hardcoded": dg.ResourceDefinition.hardcoded_resource({"region": "eu-west-1"}),
            "mocked": dg.ResourceDefinition.mock_resource(),
            "nothing": dg.ResourceDefinition.none_resource(),
            "greeting": dg.ResourceDefinition.string_resource(),
        }
        with dg.build_resources(helpers, resource_config={"greeting": {"config": "hello"}}) as resources:
            print(resources.hardcoded, resources.nothing, resources.greeting)
            resources.mocked.send_email("ops@example.com")
            print(resources.mocked.send_email.call_args)
        """
    ),
    md("`mock_resource` makes a quick stand-in for a test of a legacy op:"),
    code(
        """
        mocked_job = do_database_stuff_job.graph.to_job(
            name="mocked_job", resource_defs={"database": dg.ResourceDefinition.mock_resource()}
        )
        mocked_job.execute_in_process().success
        """
    ),
    section(
        "configured",
        """
        ## `configured`: a resource with its config applied

        `.configured(config)` returns a new `ResourceDefinition` with its config filled in; the original is
        unchanged. It is the legacy way to ship a ready-to-use resource:
        """,
    ),
    code(
        """
        cereal_db = sqlite_database.configured({"path": db_path, "timeout": 1.0})
        with dg.build_resources({"database": cereal_db}) as resources:
            print(resources.database.execute("select 40 + 2").fetchone())
        """
    ),
    md("The original still needs its config, and says where to give it:"),
    fails(
        """
        with dg.build_resources({"database": sqlite_database}) as resources:
            pass
        """
    ),
    section(
        "mixing",
        """
        ## Mixing legacy and Pythonic resources

        A `ConfigurableResource` can depend on a legacy resource through a `ResourceDependency` field
        (notebook 03), so an existing `@resource` can be wrapped without rewriting it:
        """,
    ),
    code(
        """
        class CerealReport(dg.ConfigurableResource):
            fetcher: dg.ResourceDependency[ExternalCerealFetcher]
            year: int

            def new_cereals(self):
                return self.fetcher.fetch_new_cereals(self.year, self.year + 1)


        @dg.asset
        def cereal_report(report: CerealReport):
            return report.new_cereals()


        resources = {
            "cereal_fetcher": cereal_fetcher,
            "report": CerealReport(fetcher=dg.ResourceParam("cereal_fetcher"), year=2025),
        }
        dg.materialize([cereal_report], resources=resources).asset_value("cereal_report")
        """
    ),
    section(
        "cleanup",
        """
        ## Clean up

        Next: `07_io_managers_and_environments.ipynb`.
        """,
    ),
    code("workdir.cleanup()"),
]
