"""Notebook 03: resource dependencies, configure_at_launch and factories (seed 003 dependencies, factory pattern)."""

from cells import code, fails, md, section

FILENAME = "03_dependencies_and_factories.ipynb"

CELLS = [
    section(
        "title",
        """
        # Resource dependencies and factories

        Resources can be built from other resources: an API client from a credentials resource, a
        repository from a connection. This notebook shows the ways to declare such a dependency, how to
        leave configuration open until launch (`configure_at_launch`), and the factory pattern, where the
        configured object builds the thing assets actually receive.
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
        "nested",
        """
        ## Resource dependencies

        A field whose type is another resource class makes a nested resource. The seed's example:
        """,
    ),
    code(
        """
        class StringHolderResource(dg.ConfigurableResource):
            value: str


        class MyResourceRequiresAnother(dg.ConfigurableResource):
            foo: StringHolderResource
            bar: str

            def get_combined(self):
                return f"{self.foo.value}-{self.bar}"


        @dg.asset
        def my_asset(combined: MyResourceRequiresAnother) -> str:
            return combined.get_combined()
        """
    ),
    md(
        """
        There are three ways to fill `foo`.

        **1. The object itself.** The simplest, and valid in Dagster too:
        """
    ),
    code(
        """
        string_holder = StringHolderResource(value="hello")
        defs = dg.Definitions(
            assets=[my_asset],
            resources={
                "string_holder": string_holder,
                "combined": MyResourceRequiresAnother(foo=string_holder, bar="world"),
            },
        )
        dg.materialize(defs.assets, resources=defs.resources).asset_value("my_asset")
        """
    ),
    md(
        """
        **2. By key, with `ResourceParam("key")`.** This is the seed's form: the field refers to the
        top-level resource under that key, so the two share one initialised object. (A resnb extension:
        Dagster does not accept `ResourceParam("key")`; see the README's compatibility notes.)
        """
    ),
    code(
        """
        defs = dg.Definitions(
            assets=[my_asset],
            resources={
                "string_holder": StringHolderResource(value="hello"),
                "combined": MyResourceRequiresAnother(
                    foo=dg.ResourceParam("string_holder"),
                    bar="world",
                ),
            },
        )
        with dg.build_resources(defs.resources) as resources:
            print(resources.combined.get_combined())
            print("same object:", resources.combined.foo is resources.string_holder)
        """
    ),
    md(
        """
        **3. A partial resource, completed at launch.** See `configure_at_launch` below.

        A reference to a key that does not exist is reported with the field that holds it:
        """
    ),
    fails(
        """
        broken = {"combined": MyResourceRequiresAnother(foo=dg.ResourceParam("string_holdr"), bar="world")}
        with dg.build_resources(broken) as resources:
            pass
        """
    ),
    section(
        "nested-lifecycle",
        """
        ## Nested resources are set up first

        When a resource depends on another, the dependency is initialised first and torn down last. A
        connection resource that opens SQLite in `setup_for_execution`, and a repository built on it:
        """,
    ),
    code(
        """
        events = []


        class Connection(dg.ConfigurableResource):
            path: str

            def setup_for_execution(self, context):
                events.append("open connection")
                self._conn = sqlite3.connect(self.path)

            def teardown_after_execution(self, context):
                events.append("close connection")
                self._conn.close()

            def execute(self, sql, *params):
                with self._conn:
                    return self._conn.execute(sql, params).fetchall()


        class UserRepository(dg.ConfigurableResource):
            connection: Connection
            table: str = "users"

            def setup_for_execution(self, context):
                events.append("set up repository")
                self.connection.execute(f"create table if not exists {self.table} (name text)")

            def add(self, name):
                self.connection.execute(f"insert into {self.table} values (?)", name)

            def names(self):
                return [name for (name,) in self.connection.execute(f"select name from {self.table}")]


        connection = Connection(path=os.path.join(workdir.name, "users.sqlite"))
        with dg.build_resources({"users": UserRepository(connection=connection)}) as resources:
            resources.users.add("Ada")
            events.append(f"names: {resources.users.names()}")
        events
        """
    ),
    section(
        "resource-dependency",
        """
        ## `ResourceDependency[T]`: depending on something that is not a `ConfigurableResource`

        A field typed `dg.ResourceDependency[T]` accepts any resource: a plain value, a legacy `@resource`
        definition (notebook 06), or a `ResourceParam("key")` reference. Inside the resource it holds the
        initialised value.
        """,
    ),
    code(
        """
        @dg.resource
        def credentials(init_context):
            return ("analyst", "hunter2")


        class ReportClient(dg.ConfigurableResource):
            credentials: dg.ResourceDependency[tuple]
            endpoint: str = "http://127.0.0.1/reports"

            def whoami(self):
                username, _password = self.credentials
                return f"{username} at {self.endpoint}"


        with dg.build_resources(
            {"credentials": credentials, "client": ReportClient(credentials=dg.ResourceParam("credentials"))}
        ) as resources:
            print(resources.client.whoami())
        """
    ),
    section(
        "configure-at-launch",
        """
        ## `configure_at_launch`: configuration supplied with the run

        `MyResource.configure_at_launch()` is a partial resource: its configuration is given when a run
        starts, as run config under `resources.<key>.config`. Use it when a value is only known at launch
        (a date, a target schema), or to let the person launching choose. Shared by the top-level key and
        the nested field, it is the Dagster-valid way to write the seed's dependency:
        """,
    ),
    code(
        """
        string_holder = StringHolderResource.configure_at_launch()
        defs = dg.Definitions(
            assets=[my_asset],
            resources={
                "string_holder": string_holder,
                "combined": MyResourceRequiresAnother(foo=string_holder, bar="world"),
            },
        )
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(run_config={"resources": {"string_holder": {"config": {"value": "hello"}}}})
        result.output_for_node("my_asset")
        """
    ),
    md("`dg.RunConfig` is the same run config as an object; `materialize` takes either form:"),
    code(
        """
        run_config = dg.RunConfig(resources={"string_holder": {"config": {"value": "bonjour"}}})
        dg.materialize(defs.assets, resources=defs.resources, run_config=run_config).asset_value("my_asset")
        """
    ),
    md("`build_resources` takes it as `resource_config`:"),
    code(
        """
        with dg.build_resources(defs.resources, resource_config={"string_holder": {"config": {"value": "hi"}}}) as r:
            print(r.combined.get_combined())
        """
    ),
    md("Launching without the configuration names the resource, the missing field and where to put it:"),
    fails("job.execute_in_process()"),
    section(
        "factory",
        """
        ## The resource factory pattern

        Sometimes the object your assets should use is not the configuration object itself: a client from
        a third-party library, or an object with a cache that must not be shared between runs. A
        *factory* is configured like any resource and **creates** the object at the start of each run.

        The seed's example builds an `ExternalService` with an in-memory cache. `fetch_from_api` is a
        stand-in that records its calls, so the cache is visible:
        """,
    ),
    code(
        """
        api_calls = []


        def fetch_from_api(api_token, key):
            api_calls.append(key)
            return {"key": key, "fetched_with_token": len(api_token) > 0}


        class ExternalService:
            def __init__(self, api_token):
                self._api_token = api_token
                self._cache = {}

            def fetch_data(self, key):
                if key in self._cache:
                    return self._cache[key]
                # Fetch from external API
                data = fetch_from_api(self._api_token, key)
                self._cache[key] = data
                return data


        class ConfigurableExternalService(dg.ConfigurableIOManagerFactory):
            api_token: str

            def create_io_manager(self, context) -> ExternalService:
                return ExternalService(self.api_token)
        """
    ),
    md("What code receives under the key is the created `ExternalService`, and its cache works:"),
    code(
        """
        with dg.build_resources({"service": ConfigurableExternalService(api_token="tok")}) as resources:
            service = resources.service
            print(type(service).__name__)
            service.fetch_data("users")
            service.fetch_data("users")
        api_calls
        """
    ),
    md(
        """
        The seed uses `ConfigurableIOManagerFactory`, the factory base for IO managers (notebook 07). For
        any other resource, the general base is `dg.ConfigurableResourceFactory[T]` with
        `create_resource(context)`. In an asset, annotate the parameter with the **created** type,
        `ResourceParam[ExternalService]`.

        **On Dagster** (1.13) `ConfigurableResourceFactory` is not exported from the `dagster` package:
        import it with `from dagster._config.pythonic_config import ConfigurableResourceFactory` (a
        private module, so pin your Dagster version). resnb exports it from `resnb` itself.
        `ConfigurableIOManagerFactory`, above, is exported by both.
        """
    ),
    code(
        """
        class ExternalServiceFactory(dg.ConfigurableResourceFactory[ExternalService]):
            \"\"\"Creates a fresh ExternalService (and cache) for every run.\"\"\"

            api_token: str

            def create_resource(self, context) -> ExternalService:
                return ExternalService(self.api_token)


        @dg.asset
        def users(service: dg.ResourceParam[ExternalService]):
            return service.fetch_data("users")


        @dg.asset
        def users_again(users, service: dg.ResourceParam[ExternalService]):
            return service.fetch_data("users")  # served from this run's cache


        api_calls.clear()
        factory = ExternalServiceFactory(api_token=dg.EnvVar("SERVICE_TOKEN"))
        os.environ["SERVICE_TOKEN"] = "from-the-environment"
        dg.materialize([users, users_again], resources={"service": factory})
        dg.materialize([users, users_again], resources={"service": factory})
        api_calls  # one fetch per run: each run gets its own service and cache
        """
    ),
    md("Annotating the parameter with the factory class is caught when the asset is defined:"),
    fails(
        """
        @dg.asset
        def users_wrong(service: ExternalServiceFactory):
            return service.fetch_data("users")
        """
    ),
    section(
        "cleanup",
        """
        ## Clean up

        Next: `04_lifecycle.ipynb`, on what runs when: setup, teardown and context managers.
        """,
    ),
    code(
        """
        os.environ.pop("SERVICE_TOKEN", None)
        workdir.cleanup()
        """
    ),
]
