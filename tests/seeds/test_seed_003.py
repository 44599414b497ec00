"""Seed 003 (the Pythonic ``ConfigurableResource`` documentation), every example run as a test.

Each test takes the ``dg`` fixture (``resnb`` or ``dagster``, see ``tests/conftest.py``) and keeps the seed's code as
close to verbatim as the harness allows: classes are defined inside the test, and external things the seed calls
(``psycopg2``, ``requests``, ``connect``, ``fetch_from_api``) or leaves undefined (``my_asset``) are small local stubs
that record their calls. Nothing touches the network. The comment above each test names the seed section it covers.

One seed example is not valid Dagster: "Resource Dependencies" passes ``dg.ResourceParam("string_holder")`` as a field
value. That test runs on resnb only (DESIGN.md deviation 1); the Dagster-valid equivalents run on both.

No ``from __future__ import annotations``: Dagster resolves parameter annotations at decoration time, and the
resource classes used in annotations are local to the tests.
"""

import os
import pickle
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import Field

# --------------------------------------------------------------------------------------------------------------
# helpers: stand-ins for the external systems the seed talks to
# --------------------------------------------------------------------------------------------------------------


class _FakeResponse:
    def __init__(self, payload):
        self._payload = payload

    def json(self):
        return self._payload


def _fake_requests(calls):
    """A local ``requests`` namespace: ``get`` records (url, kwargs) and answers with the url echoed back."""

    def get(url, **kwargs):
        calls.append((url, kwargs))
        return _FakeResponse({"url": url})

    return SimpleNamespace(get=get)


class _FakeConnection:
    """What the stub ``connect`` returns: ``execute`` records and answers, ``close`` is recorded."""

    def __init__(self, log, args, params):
        self.log = log
        self.args = args
        self.params = params
        self.closed = False

    def execute(self, query):
        self.log.append(("execute", query))
        return [("row", query)]

    def close(self):
        self.log.append(("close",))
        self.closed = True


def _fake_connect(log):
    def connect(*args, **kwargs):
        log.append(("connect", args, kwargs))
        return _FakeConnection(log, args, kwargs)

    return connect


# --------------------------------------------------------------------------------------------------------------
# Why Resources Matter
# --------------------------------------------------------------------------------------------------------------


def test_hardcoded_connection_asset(dg):
    # Seed 003, "Why Resources Matter", the "Hardcoded" example: it works, but the connection is baked in.
    log = []
    psycopg2 = SimpleNamespace(connect=_fake_connect(log))

    @dg.asset
    def fetch_users():
        conn = psycopg2.connect("postgresql://prod-db:5432/users")
        return conn.execute("SELECT * FROM users")

    result = dg.materialize([fetch_users])
    assert result.success
    assert result.asset_value("fetch_users") == [("row", "SELECT * FROM users")]
    assert log[0] == ("connect", ("postgresql://prod-db:5432/users",), {})


def test_resource_externalizes_configuration_and_can_be_swapped(dg):
    # Seed 003, "Why Resources Matter", the "Using resources" example: the asset only names the resource, so a
    # different implementation can be plugged in without touching it.
    prod_log, test_log = [], []

    class DatabaseResource(dg.ConfigurableResource):
        url: str

        def execute(self, query):
            return _fake_connect(prod_log if "prod" in self.url else test_log)(self.url).execute(query)

    @dg.asset
    def fetch_users(database: DatabaseResource):
        return database.execute("SELECT * FROM users")

    result = dg.materialize(
        [fetch_users], resources={"database": DatabaseResource(url="postgresql://test-db/u")}
    )
    assert result.success
    assert result.asset_value("fetch_users") == [("row", "SELECT * FROM users")]
    assert prod_log == []
    assert test_log[0][0] == "connect"

    result = dg.materialize(
        [fetch_users], resources={"database": DatabaseResource(url="postgresql://prod-db/u")}
    )
    assert result.success
    assert prod_log[0] == ("connect", ("postgresql://prod-db/u",), {})


# --------------------------------------------------------------------------------------------------------------
# Defining Resources
# --------------------------------------------------------------------------------------------------------------


def test_defining_a_configurable_resource(dg):
    # Seed 003, "Defining Resources".
    class MyResource(dg.ConfigurableResource):
        value: str

        def get_value(self) -> str:
            return self.value

    assert MyResource(value="x").get_value() == "x"
    with dg.build_resources({"my_resource": MyResource(value="y")}) as resources:
        assert resources.my_resource.get_value() == "y"


# --------------------------------------------------------------------------------------------------------------
# Resource Configuration
# --------------------------------------------------------------------------------------------------------------


def _database_resource_with_secret(dg, connect):
    class DatabaseResource(dg.ConfigurableResource):
        host: str
        port: int = 5432
        username: str
        password: str = Field(exclude=True)  # Won't be logged
        database: str

        def get_connection(self):
            return connect(
                host=self.host,
                port=self.port,
                user=self.username,
                password=self.password,
                database=self.database,
            )

    return DatabaseResource


def test_resource_configuration_defaults_and_connection(dg):
    # Seed 003, "Resource Configuration": "configuration fields with type hints, defaults, and validation".
    log = []
    DatabaseResource = _database_resource_with_secret(dg, _fake_connect(log))

    db = DatabaseResource(host="localhost", username="me", password="s3cret", database="users")
    assert db.port == 5432
    conn = db.get_connection()
    assert conn.params == {
        "host": "localhost",
        "port": 5432,
        "user": "me",
        "password": "s3cret",
        "database": "users",
    }


def test_resource_configuration_validates_types(dg):
    # Seed 003, "Resource Configuration": "... and validation". A wrong type fails at construction.
    DatabaseResource = _database_resource_with_secret(dg, _fake_connect([]))

    with pytest.raises(ValueError):
        DatabaseResource(host="h", port="not a port", username="u", password="p", database="d")


def test_excluded_password_is_not_dumped_but_still_used(dg):
    # Seed 003, "Resource Configuration": `password: str = Field(exclude=True)  # Won't be logged`. The password is
    # absent from model_dump(), yet the resource built for a run still has it.
    log = []
    DatabaseResource = _database_resource_with_secret(dg, _fake_connect(log))
    db = DatabaseResource(host="localhost", username="me", password="s3cret", database="users")

    assert "password" not in db.model_dump()
    assert db.model_dump() == {"host": "localhost", "port": 5432, "username": "me", "database": "users"}

    @dg.asset
    def connected(database: DatabaseResource):
        return database.get_connection().params["password"]

    result = dg.materialize([connected], resources={"database": db})
    assert result.success
    assert result.asset_value("connected") == "s3cret"


# --------------------------------------------------------------------------------------------------------------
# Using Resources in Assets
# --------------------------------------------------------------------------------------------------------------


def test_resource_param_plain_string_resource_in_asset(dg):
    # Seed 003, "Using Resources in Assets": dg.ResourceParam[str] with a plain string resource, through
    # @dg.definitions (which, in dagster 1.13, returns a lazy object that gives the Definitions when called).
    calls = []
    requests = _fake_requests(calls)

    @dg.asset
    def data_from_url(data_url: dg.ResourceParam[str]) -> dict[str, Any]:
        return requests.get(data_url).json()

    @dg.definitions
    def resources():
        return dg.Definitions(
            assets=[data_from_url],
            resources={"data_url": "https://api.example.com/data"},
        )

    defs = resources()
    assert isinstance(defs, dg.Definitions)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("data_from_url") == {"url": "https://api.example.com/data"}
    assert calls == [("https://api.example.com/data", {})]


# --------------------------------------------------------------------------------------------------------------
# Configurable Resources in Assets
# --------------------------------------------------------------------------------------------------------------


def _api_client_definitions(dg, requests):
    class APIClient(dg.ConfigurableResource):
        base_url: str
        api_key: str
        timeout: int = 30

        def fetch(self, endpoint: str):
            url = f"{self.base_url}/{endpoint}"
            headers = {"Authorization": f"Bearer {self.api_key}"}
            response = requests.get(url, headers=headers, timeout=self.timeout)
            return response.json()

    @dg.asset
    def user_data(api: APIClient):
        return api.fetch("users")

    defs = dg.Definitions(
        assets=[user_data],
        resources={
            "api": APIClient(
                base_url="https://api.example.com",
                api_key=dg.EnvVar("API_KEY"),
            )
        },
    )
    return defs


def test_configurable_resource_in_asset_with_env_var_api_key(dg, env):
    # Seed 003, "Configurable Resources in Assets": APIClient with api_key=dg.EnvVar("API_KEY").
    env.setenv("API_KEY", "key-123")
    calls = []
    defs = _api_client_definitions(dg, _fake_requests(calls))

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("user_data") == {"url": "https://api.example.com/users"}
    assert calls == [
        ("https://api.example.com/users", {"headers": {"Authorization": "Bearer key-123"}, "timeout": 30}),
    ]


def test_configurable_resource_unset_api_key_fails_the_run_with_config_error(dg, env):
    # Seed 003, "Configurable Resources in Assets": the Definitions load without API_KEY, the run needs it.
    env.delenv("API_KEY", raising=False)
    defs = _api_client_definitions(dg, _fake_requests([]))

    with pytest.raises(dg.DagsterInvalidConfigError):
        defs.resolve_implicit_global_asset_job_def().execute_in_process()


# --------------------------------------------------------------------------------------------------------------
# Using Resources in Ops
# --------------------------------------------------------------------------------------------------------------


def test_resource_param_in_op_and_job(dg, capsys):
    # Seed 003, "Using Resources in Ops": "Ops can use resources the same way".
    calls = []
    requests = _fake_requests(calls)

    @dg.op
    def print_data_from_resource(data_url: dg.ResourceParam[str]):
        print(requests.get(data_url).json())

    @dg.job
    def print_data_from_url_job():
        print_data_from_resource()

    @dg.definitions
    def resources():
        return dg.Definitions(
            jobs=[print_data_from_url_job],
            resources={"data_url": "https://dagster.io"},
        )

    result = resources().resolve_job_def("print_data_from_url_job").execute_in_process()
    assert result.success
    assert calls == [("https://dagster.io", {})]
    assert "{'url': 'https://dagster.io'}" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------------------------
# Environment Variables
# --------------------------------------------------------------------------------------------------------------


def _env_database_definitions(dg):
    class DatabaseResource(dg.ConfigurableResource):
        host: str
        password: str

    @dg.asset
    def my_asset(database: DatabaseResource):
        return (database.host, database.password)

    defs = dg.Definitions(
        assets=[my_asset],
        resources={
            "database": DatabaseResource(
                host=dg.EnvVar("DATABASE_HOST"),
                password=dg.EnvVar("DATABASE_PASSWORD"),
            )
        },
    )
    return defs


def test_env_vars_are_loaded_at_runtime_not_when_parsed(dg, env):
    # Seed 003, "Environment Variables": "Environment variables are loaded at runtime, not when the code is parsed."
    # The Definitions are built with both variables unset; they are set only before the run.
    env.delenv("DATABASE_HOST", raising=False)
    env.delenv("DATABASE_PASSWORD", raising=False)
    defs = _env_database_definitions(dg)

    env.setenv("DATABASE_HOST", "db.internal")
    env.setenv("DATABASE_PASSWORD", "pw1")
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("my_asset") == ("db.internal", "pw1")


def test_env_vars_give_different_values_in_different_environments(dg, env):
    # Seed 003, "Environment Variables": "This allows you to use different values in different environments
    # without changing code." The same Definitions object, two runs, two values.
    env.setenv("DATABASE_HOST", "dev-host")
    env.setenv("DATABASE_PASSWORD", "dev-pw")
    defs = _env_database_definitions(dg)
    first = defs.resolve_implicit_global_asset_job_def().execute_in_process()

    env.setenv("DATABASE_HOST", "prod-host")
    env.setenv("DATABASE_PASSWORD", "prod-pw")
    second = defs.resolve_implicit_global_asset_job_def().execute_in_process()

    assert first.output_for_node("my_asset") == ("dev-host", "dev-pw")
    assert second.output_for_node("my_asset") == ("prod-host", "prod-pw")


def test_env_var_resource_built_with_build_resources_after_setting_var(dg, env):
    # Seed 003, "Environment Variables": construct with the variable unset, set it, then build.
    class DatabaseResource(dg.ConfigurableResource):
        host: str
        password: str

    env.delenv("DATABASE_HOST", raising=False)
    env.delenv("DATABASE_PASSWORD", raising=False)
    database = DatabaseResource(host=dg.EnvVar("DATABASE_HOST"), password=dg.EnvVar("DATABASE_PASSWORD"))

    env.setenv("DATABASE_HOST", "h")
    env.setenv("DATABASE_PASSWORD", "p")
    with dg.build_resources({"database": database}) as resources:
        assert (resources.database.host, resources.database.password) == ("h", "p")


# --------------------------------------------------------------------------------------------------------------
# Resource Dependencies
# --------------------------------------------------------------------------------------------------------------


def _string_holder_classes(dg):
    class StringHolderResource(dg.ConfigurableResource):
        value: str

    class MyResourceRequiresAnother(dg.ConfigurableResource):
        foo: StringHolderResource
        bar: str

        def get_combined(self):
            return f"{self.foo.value}-{self.bar}"

    return StringHolderResource, MyResourceRequiresAnother


def _combined_asset(dg, MyResourceRequiresAnother):
    @dg.asset
    def my_asset(combined: MyResourceRequiresAnother):
        return combined.get_combined()

    return my_asset


def test_resource_dependency_by_resource_param_key_resnb_only(dg):
    # Seed 003, "Resource Dependencies", verbatim: foo=dg.ResourceParam("string_holder") means "the top-level
    # resource under key string_holder".
    if dg.__name__ == "dagster":
        pytest.skip("Dagster has no ResourceParam(key) form; resnb extension (DESIGN.md deviation 1)")
    StringHolderResource, MyResourceRequiresAnother = _string_holder_classes(dg)
    my_asset = _combined_asset(dg, MyResourceRequiresAnother)

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

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("my_asset") == "hello-world"

    with dg.build_resources(defs.resources) as resources:
        assert resources.combined.get_combined() == "hello-world"
        assert resources.combined.foo.value == resources.string_holder.value == "hello"


def test_resource_dependency_with_resource_object(dg):
    # Seed 003, "Resource Dependencies", Dagster-valid form: the StringHolderResource object itself is the field.
    StringHolderResource, MyResourceRequiresAnother = _string_holder_classes(dg)
    my_asset = _combined_asset(dg, MyResourceRequiresAnother)
    string_holder = StringHolderResource(value="hello")

    defs = dg.Definitions(
        assets=[my_asset],
        resources={
            "string_holder": string_holder,
            "combined": MyResourceRequiresAnother(foo=string_holder, bar="world"),
        },
    )

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("my_asset") == "hello-world"


def test_resource_dependency_with_configure_at_launch_partial(dg):
    # Seed 003, "Resource Dependencies", Dagster-valid form: a partial resource shared by the top-level key and the
    # nested field, completed by run config.
    StringHolderResource, MyResourceRequiresAnother = _string_holder_classes(dg)
    my_asset = _combined_asset(dg, MyResourceRequiresAnother)
    string_holder = StringHolderResource.configure_at_launch()

    defs = dg.Definitions(
        assets=[my_asset],
        resources={
            "string_holder": string_holder,
            "combined": MyResourceRequiresAnother(foo=string_holder, bar="world"),
        },
    )

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        run_config={"resources": {"string_holder": {"config": {"value": "hello"}}}}
    )
    assert result.success
    assert result.output_for_node("my_asset") == "hello-world"


# --------------------------------------------------------------------------------------------------------------
# Lifecycle Management
# --------------------------------------------------------------------------------------------------------------


def test_context_manager_method_opens_and_closes_connection(dg):
    # Seed 003, "Lifecycle Management", DatabaseConnection.get_connection as a @contextmanager: the connection is
    # closed when the with-block in the asset ends.
    from contextlib import contextmanager

    log = []
    connect = _fake_connect(log)

    class DatabaseConnection(dg.ConfigurableResource):
        host: str

        @contextmanager
        def get_connection(self):
            conn = connect(self.host)
            try:
                yield conn
            finally:
                conn.close()

    @dg.asset
    def query_users(database: DatabaseConnection):
        with database.get_connection() as conn:
            return conn.execute("SELECT * FROM users")

    result = dg.materialize([query_users], resources={"database": DatabaseConnection(host="db-host")})
    assert result.success
    assert result.asset_value("query_users") == [("row", "SELECT * FROM users")]
    assert log == [("connect", ("db-host",), {}), ("execute", "SELECT * FROM users"), ("close",)]


def _cache_resource(dg, setups):
    class CacheResource(dg.ConfigurableResource):
        cache_dir: str

        def setup_for_execution(self, context):
            # Called once at the start of execution
            setups.append(self.cache_dir)
            os.makedirs(self.cache_dir, exist_ok=True)
            self._cache = {}

        def get(self, key):
            return self._cache.get(key)

        def set(self, key, value):
            self._cache[key] = value

    return CacheResource


def test_cache_resource_setup_for_execution_during_materialize(dg, tmp_path):
    # Seed 003, "Lifecycle Management", CacheResource: setup_for_execution is "Called once at the start of
    # execution", creates the directory and may assign self._cache, which both assets then share.
    setups = []
    CacheResource = _cache_resource(dg, setups)
    cache_dir = tmp_path / "cache" / "nested"

    @dg.asset
    def writer(cache: CacheResource):
        assert cache.get("k") is None
        cache.set("k", "v")
        return 1

    @dg.asset
    def reader(writer, cache: CacheResource):
        return cache.get("k")

    result = dg.materialize([writer, reader], resources={"cache": CacheResource(cache_dir=str(cache_dir))})
    assert result.success
    assert result.asset_value("reader") == "v"
    assert cache_dir.is_dir()
    assert setups == [str(cache_dir)]


def test_cache_resource_setup_for_execution_in_build_resources(dg, tmp_path):
    # Seed 003, "Lifecycle Management", CacheResource outside a run: the constructed object is untouched, the
    # built copy carries the cache.
    setups = []
    CacheResource = _cache_resource(dg, setups)
    cache = CacheResource(cache_dir=str(tmp_path / "c"))

    with dg.build_resources({"cache": cache}) as resources:
        resources.cache.set("a", 1)
        assert resources.cache.get("a") == 1
    assert (tmp_path / "c").is_dir()
    assert setups == [str(tmp_path / "c")]


# --------------------------------------------------------------------------------------------------------------
# Testing with Resources
# --------------------------------------------------------------------------------------------------------------


def test_testing_with_resources(dg):
    # Seed 003, "Testing with Resources": both seed test functions, run as written.
    class MyResource(dg.ConfigurableResource):
        value: str

        def get_value(self) -> str:
            return self.value

    def test_my_resource():
        # Test the resource directly
        resource = MyResource(value="foo")
        assert resource.get_value() == "foo"

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
        return result

    test_my_resource()
    result = test_asset_with_resource()
    assert result.asset_value("data_asset") == "test_value"


def test_testing_asset_with_mock_substitute(dg):
    # Seed 003, "Testing with Resources": "Resources make testing easy by allowing you to substitute mocks". A
    # plain stand-in object reaches the asset as is.
    class FakeResource:
        def get_value(self):
            return "mocked"

    @dg.asset
    def data_asset(my_resource: dg.ResourceParam[Any]):
        return my_resource.get_value()

    result = dg.materialize([data_asset], resources={"my_resource": FakeResource()})
    assert result.success
    assert result.asset_value("data_asset") == "mocked"


def test_testing_with_nested_resources(dg):
    # Seed 003, "Testing with Nested Resources", run as written.
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


# --------------------------------------------------------------------------------------------------------------
# Resource Factory Pattern
# --------------------------------------------------------------------------------------------------------------


def test_resource_factory_pattern_through_build_resources(dg):
    # Seed 003, "Resource Factory Pattern": create_io_manager builds the ExternalService that user code receives;
    # its cache avoids a second fetch.
    fetches = []

    def fetch_from_api(api_token, key):
        fetches.append((api_token, key))
        return f"data for {key}"

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

    with dg.build_resources({"service": ConfigurableExternalService(api_token="tok")}) as resources:
        service = resources.service
        assert isinstance(service, ExternalService)
        assert service.fetch_data("k") == "data for k"
        assert service.fetch_data("k") == "data for k"

    assert fetches == [("tok", "k")]


# --------------------------------------------------------------------------------------------------------------
# Built-in Resources
# --------------------------------------------------------------------------------------------------------------


def test_filesystem_io_manager_stores_under_base_dir(dg, tmp_path):
    # Seed 003, "Built-in Resources": FilesystemIOManager(base_dir=...) with base_dir moved under tmp_path.
    base_dir = tmp_path / "data" / "storage"

    @dg.asset
    def my_asset():
        return {"answer": 42}

    @dg.asset
    def downstream(my_asset):
        return my_asset["answer"] + 1

    defs = dg.Definitions(
        assets=[my_asset, downstream],
        resources={
            "io_manager": dg.FilesystemIOManager(
                base_dir=str(base_dir),
            )
        },
    )

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("downstream") == 43
    with open(base_dir / "my_asset", "rb") as stored:
        assert pickle.load(stored) == {"answer": 42}


# --------------------------------------------------------------------------------------------------------------
# Per-Environment Configuration
# --------------------------------------------------------------------------------------------------------------


def _per_environment_definitions(dg):
    class DatabaseResource(dg.ConfigurableResource):
        connection_string: str

    def get_dev_resources():
        return {"database": DatabaseResource(connection_string="postgresql://localhost:5432/dev")}

    def get_prod_resources():
        return {"database": DatabaseResource(connection_string=dg.EnvVar("PROD_DATABASE_URL"))}

    @dg.asset
    def my_asset(database: DatabaseResource):
        return database.connection_string

    # In your Definitions
    IS_PROD = os.getenv("ENV") == "production"

    defs = dg.Definitions(
        assets=[my_asset],
        resources=get_prod_resources() if IS_PROD else get_dev_resources(),
    )
    return defs


def test_per_environment_configuration_dev(dg, env):
    # Seed 003, "Per-Environment Configuration": without ENV=production the dev resources are used.
    env.delenv("ENV", raising=False)
    env.delenv("PROD_DATABASE_URL", raising=False)
    defs = _per_environment_definitions(dg)

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("my_asset") == "postgresql://localhost:5432/dev"


def test_per_environment_configuration_prod(dg, env):
    # Seed 003, "Per-Environment Configuration": ENV=production switches to the EnvVar-backed prod resources.
    env.setenv("ENV", "production")
    env.setenv("PROD_DATABASE_URL", "postgresql://prod-db:5432/prod")
    defs = _per_environment_definitions(dg)

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("my_asset") == "postgresql://prod-db:5432/prod"


# --------------------------------------------------------------------------------------------------------------
# Best Practices
# --------------------------------------------------------------------------------------------------------------


def test_field_descriptions_are_kept(dg):
    # Seed 003, "Best Practices": "Add docstrings and field descriptions to help users understand how to configure
    # your resources."
    class DatabaseResource(dg.ConfigurableResource):
        """Connects to the users database."""

        host: str = Field(description="Database host name")
        port: int = Field(default=5432, description="TCP port")

    assert DatabaseResource.__doc__ == "Connects to the users database."
    assert DatabaseResource.model_fields["host"].description == "Database host name"
    assert DatabaseResource.model_fields["port"].description == "TCP port"
    assert DatabaseResource(host="h").port == 5432
