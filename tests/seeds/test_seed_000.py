"""Seed 000 (the legacy ``@resource`` documentation), every example run as a test.

Each test takes the ``dg`` fixture (``resnb`` or ``dagster``, see ``tests/conftest.py``) and keeps the seed's code as
close to verbatim as the test harness allows: classes and functions are defined inside the test, and things the seed
leaves undefined (``asset_requires_resource``, ``foo_resource``, ``database_resource``, ``get_db_connection``, ...) are
small local stubs that record what happens to them. The comment above each test names the seed section it covers and
quotes the sentence whose claim the test checks.

No ``from __future__ import annotations``: Dagster resolves parameter annotations at decoration time, and the classes
used in annotations are local to the tests.
"""

import warnings

import pytest

# --------------------------------------------------------------------------------------------------------------
# helpers: stand-ins for what the seed leaves undefined
# --------------------------------------------------------------------------------------------------------------


class _FakeDatabase:
    """What ``database_resource`` / ``get_db_connection`` hand out: records queries and whether it was closed."""

    def __init__(self, log):
        self.log = log
        self.queries = []
        self.closed = False

    def execute_query(self, query):
        self.log.append(("query", query))
        self.queries.append(query)

    def close(self):
        self.log.append(("close",))
        self.closed = True


def _db_connection_resource(dg, log):
    """The seed's context-manager resource: ``try: yield db_conn`` ... ``finally: cleanup_db_connection``."""

    def get_db_connection():
        log.append(("connect",))
        return _FakeDatabase(log)

    def cleanup_db_connection(db_conn):
        db_conn.close()

    @dg.resource
    def db_connection():
        try:
            db_conn = get_db_connection()
            yield db_conn
        finally:
            cleanup_db_connection(db_conn)

    return db_connection


# --------------------------------------------------------------------------------------------------------------
# Defining a resource
# --------------------------------------------------------------------------------------------------------------


def test_resource_decorator_returns_resource_definition(dg):
    # Seed 000, "Class for resource definitions ... you should use the @resource which returns a
    # ResourceDefinition."
    @dg.resource
    def cereal_fetcher(init_context):
        return object()

    assert isinstance(cereal_fetcher, dg.ResourceDefinition)


def test_cereal_fetcher_yields_the_returned_object(dg):
    # Seed 000, "To define a resource, use the @resource decorator. Wrap a function that takes an init_context as
    # the first parameter, which is an instance of InitResourceContext. From this function, return or yield the
    # object that you would like to be available as a resource."
    seen = []

    class ExternalCerealFetcher:
        def fetch_new_cereals(self, start_ts, end_ts):
            pass

    @dg.resource
    def cereal_fetcher(init_context):
        seen.append(init_context)
        return ExternalCerealFetcher()

    with dg.build_resources({"cereal_fetcher": cereal_fetcher}) as resources:
        fetcher = resources.cereal_fetcher
        assert isinstance(fetcher, ExternalCerealFetcher)
        assert fetcher.fetch_new_cereals(0, 1) is None

    assert len(seen) == 1
    assert isinstance(seen[0], dg.InitResourceContext)


# --------------------------------------------------------------------------------------------------------------
# Using resources with software-defined assets
# --------------------------------------------------------------------------------------------------------------


def _foo_assets(dg, calls):
    @dg.resource
    def foo_resource(init_context):
        calls.append("init foo")
        return "foo-value"

    @dg.asset(required_resource_keys={"foo"})
    def asset_requires_resource(context):
        return context.resources.foo.upper()

    return foo_resource, asset_requires_resource


def test_definitions_resources_are_bound_to_assets(dg):
    # Seed 000, "Resources can be provided to software-defined assets by passing them Definitions. The resources
    # provided to Definitions are automatically bound to the assets."
    calls = []
    foo_resource, asset_requires_resource = _foo_assets(dg, calls)

    defs = dg.Definitions(
        assets=[asset_requires_resource],
        resources={"foo": foo_resource},
    )

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.success
    assert result.output_for_node("asset_requires_resource") == "FOO-VALUE"
    assert calls == ["init foo"]


def test_definitions_without_the_resource_fails_validation(dg):
    # Seed 000, same section: the binding comes from Definitions, so without it the asset's requirement is unmet.
    calls = []
    _, asset_requires_resource = _foo_assets(dg, calls)

    defs = dg.Definitions(assets=[asset_requires_resource])
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.Definitions.validate_loadable(defs)


def test_define_asset_job_uses_resources_of_the_definitions(dg):
    # Seed 000, "When defining asset jobs (using define_asset_job), you don't need to provide resources to the job
    # directly. The job will make use of the resources provided to the assets."
    calls = []
    foo_resource, asset_requires_resource = _foo_assets(dg, calls)

    defs = dg.Definitions(
        assets=[asset_requires_resource],
        jobs=[dg.define_asset_job("foo_job")],
        resources={"foo": foo_resource},
    )

    result = defs.resolve_job_def("foo_job").execute_in_process()
    assert result.success
    assert result.output_for_node("asset_requires_resource") == "FOO-VALUE"
    assert calls == ["init foo"]


# --------------------------------------------------------------------------------------------------------------
# Using resources with ops / jobs
# --------------------------------------------------------------------------------------------------------------


def _database_op(dg):
    CREATE_TABLE_1_QUERY = "create table_1 as select * from table_0"

    @dg.op(required_resource_keys={"database"})
    def op_requires_resources(context):
        context.resources.database.execute_query(CREATE_TABLE_1_QUERY)

    return CREATE_TABLE_1_QUERY, op_requires_resources


def test_op_uses_resource_key_from_job_resource_defs(dg):
    # Seed 000, "Like software-defined assets, ops use resource keys to access resources" and "Supplying resources
    # to the @job ...": @job(resource_defs={"database": database_resource}).
    log = []
    CREATE_TABLE_1_QUERY, op_requires_resources = _database_op(dg)

    @dg.resource
    def database_resource(init_context):
        return _FakeDatabase(log)

    @dg.job(resource_defs={"database": database_resource})
    def do_database_stuff_job():
        op_requires_resources()

    result = do_database_stuff_job.execute_in_process()
    assert result.success
    assert log == [("query", CREATE_TABLE_1_QUERY)]


def test_graph_to_job_builds_jobs_distinguished_by_resources(dg):
    # Seed 000, "Supplying resources when using GraphDefinition.to_job is especially common, because you can build
    # multiple jobs from the same graph that are distinguished by their different resources."
    CREATE_TABLE_1_QUERY, op_requires_resources = _database_op(dg)
    prod_log, test_log = [], []

    @dg.resource
    def prod_database(init_context):
        return _FakeDatabase(prod_log)

    @dg.resource
    def test_database(init_context):
        return _FakeDatabase(test_log)

    @dg.graph
    def do_database_stuff():
        op_requires_resources()

    prod_job = do_database_stuff.to_job(name="prod_job", resource_defs={"database": prod_database})
    test_job = do_database_stuff.to_job(name="test_job", resource_defs={"database": test_database})

    assert test_job.execute_in_process().success
    assert (prod_log, test_log) == ([], [("query", CREATE_TABLE_1_QUERY)])
    assert prod_job.execute_in_process().success
    assert prod_log == [("query", CREATE_TABLE_1_QUERY)]


# --------------------------------------------------------------------------------------------------------------
# Context manager resources
# --------------------------------------------------------------------------------------------------------------


def test_context_manager_resource_cleans_up_after_execution(dg):
    # Seed 000, "At spinup time, Dagster will run the code within the try block ... The yielded object will be
    # available to code that requires the resource" and "Once execution finishes, the finally block of the
    # resource init function will run."
    log = []
    db_connection = _db_connection_resource(dg, log)

    @dg.op(required_resource_keys={"db_connection"})
    def use_db(context):
        log.append(("op", context.resources.db_connection.closed))
        context.resources.db_connection.execute_query("select 1")

    @dg.job(resource_defs={"db_connection": db_connection})
    def db_job():
        use_db()

    assert db_job.execute_in_process().success
    assert log == [("connect",), ("op", False), ("query", "select 1"), ("close",)]


def test_context_manager_resource_second_yield_is_only_reached_at_teardown(dg):
    # Seed 000, "be expecting a single yield. Having more than one yield will cause an error." The first value is
    # the resource and the generator is not resumed while the block is open; the second yield is reached at
    # teardown, where dagster logs the error and resnb warns (ref 7.4). Neither raises out of the block, and the
    # report itself is not asserted here because its form differs on purpose.
    log = []

    @dg.resource
    def twice():
        log.append("before first")
        yield 1
        log.append("after first")
        yield 2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dg.build_resources({"twice": twice}) as resources:
            assert resources.twice == 1
            assert log == ["before first"]
    assert log == ["before first", "after first"]


def test_context_manager_resource_zero_yields_fails_init(dg):
    # Seed 000, "be expecting a single yield": no yield at all fails at spinup (ref 7.5).
    @dg.resource
    def never():
        if False:  # pragma: no cover - makes this a generator that yields nothing
            yield None

    with pytest.raises(dg.DagsterResourceFunctionError), dg.build_resources({"never": never}):
        pass  # pragma: no cover


def test_in_process_executor_initializes_once_before_steps_and_tears_down_after_all(dg):
    # Seed 000, "resources are initialized (and torn down) once per process. This means that if using the
    # in-process executor, which runs all steps in a single process, resources will be initialized at the
    # beginning of execution, and torn down after every single step is finished executing."
    log = []
    db_connection = _db_connection_resource(dg, log)

    @dg.op(required_resource_keys={"db_connection"})
    def first(context):
        log.append(("step", "first"))
        context.resources.db_connection.execute_query("q1")
        return 1

    @dg.op(required_resource_keys={"db_connection"})
    def second(context, x):
        log.append(("step", "second"))
        context.resources.db_connection.execute_query("q2")
        return x + 1

    @dg.job(resource_defs={"db_connection": db_connection}, executor_def=dg.in_process_executor)
    def two_steps():
        second(first())

    result = two_steps.execute_in_process()
    assert result.success
    assert log == [
        ("connect",),
        ("step", "first"),
        ("query", "q1"),
        ("step", "second"),
        ("query", "q2"),
        ("close",),
    ]


def test_in_process_executor_shares_one_resource_object_across_steps(dg):
    # Seed 000, "resources are initialized (and torn down) once per process": both steps see the same object.
    seen = []

    @dg.resource
    def shared():
        return object()

    @dg.asset(required_resource_keys={"shared"})
    def a1(context):
        seen.append(id(context.resources.shared))
        return 1

    @dg.asset(required_resource_keys={"shared"})
    def a2(context, a1):
        seen.append(id(context.resources.shared))
        return a1 + 1

    assert dg.materialize([a1, a2], resources={"shared": shared}).success
    assert len(seen) == 2
    assert seen[0] == seen[1]


# --------------------------------------------------------------------------------------------------------------
# Using resources outside of execution
# --------------------------------------------------------------------------------------------------------------


def test_build_resources_initializes_resource_outside_execution(dg):
    # Seed 000, "You can use the build_resources API to initialize this resource outside of execution."
    log = []
    db_connection = _db_connection_resource(dg, log)

    with dg.build_resources({"db_connection": db_connection}) as resources:
        conn = resources.db_connection
        assert isinstance(conn, _FakeDatabase)
        conn.execute_query("select * from cereals")
        assert conn.closed is False

    assert conn.closed is True
    assert log == [("connect",), ("query", "select * from cereals"), ("close",)]


# --------------------------------------------------------------------------------------------------------------
# Resource to resource dependencies
# --------------------------------------------------------------------------------------------------------------


def test_resource_depends_on_other_resource_via_required_resource_keys(dg):
    # Seed 000, "Resources can depend upon other resources. Use the required_resource_keys parameter of the
    # @resource decorator to specify which resources to depend upon. Access the required resources through the
    # context object provided to the wrapped function."
    class Client:
        def __init__(self, username, password):
            self.username = username
            self.password = password

    @dg.resource
    def credentials():
        return ("bad_username", "easy_password")

    @dg.resource(required_resource_keys={"credentials"})
    def client(init_context):
        username, password = init_context.resources.credentials
        return Client(username, password)

    with dg.build_resources({"credentials": credentials, "client": client}) as resources:
        assert isinstance(resources.client, Client)
        assert (resources.client.username, resources.client.password) == ("bad_username", "easy_password")


def test_resource_dependency_is_initialized_first_in_a_run(dg):
    # Seed 000, resource dependencies, in a run: the required key is set up before its dependant and torn down
    # after it.
    log = []

    @dg.resource
    def credentials():
        log.append("setup credentials")
        yield ("user", "pw")
        log.append("teardown credentials")

    @dg.resource(required_resource_keys={"credentials"})
    def client(init_context):
        log.append("setup client")
        yield "client for " + init_context.resources.credentials[0]
        log.append("teardown client")

    @dg.op(required_resource_keys={"client"})
    def uses_client(context):
        log.append("op " + context.resources.client)

    @dg.job(resource_defs={"credentials": credentials, "client": client})
    def client_job():
        uses_client()

    assert client_job.execute_in_process().success
    assert log == [
        "setup credentials",
        "setup client",
        "op client for user",
        "teardown client",
        "teardown credentials",
    ]


# --------------------------------------------------------------------------------------------------------------
# Providing resources to assets while using @repository
# --------------------------------------------------------------------------------------------------------------


def test_with_resources_inside_repository(dg):
    # Seed 000, "For those still using repository to organize definitions, you have to use with_resources to provide
    # resources to assets. This function takes in a sequence of assets and returns transformed versions of those
    # assets with the provided resources specified."
    calls = []
    foo_resource, asset_requires_resource = _foo_assets(dg, calls)

    @dg.repository
    def repo():
        return [
            *dg.with_resources(
                definitions=[asset_requires_resource],
                resource_defs={"foo": foo_resource},
            )
        ]

    assert isinstance(repo, dg.RepositoryDefinition)
    (asset_job,) = repo.get_all_jobs()
    result = asset_job.execute_in_process()
    assert result.success
    assert result.output_for_node("asset_requires_resource") == "FOO-VALUE"
    assert calls == ["init foo"]


def test_with_resources_returns_copies_and_leaves_original_unbound(dg):
    # Seed 000, "The with_resources function returns a copy of each asset, bound to the provided resources."
    calls = []
    foo_resource, asset_requires_resource = _foo_assets(dg, calls)

    (bound,) = dg.with_resources(definitions=[asset_requires_resource], resource_defs={"foo": foo_resource})

    assert bound is not asset_requires_resource
    assert dg.materialize([bound]).success
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([asset_requires_resource])


def test_repository_without_with_resources_fails(dg):
    # Seed 000, "you have to use with_resources to provide resources to assets". For a repository of assets only,
    # dagster 1.13.28 raises when the jobs are resolved, not at decoration (it is eager only for @job entries), so
    # the check covers both moments.
    calls = []
    _, asset_requires_resource = _foo_assets(dg, calls)

    with pytest.raises(dg.DagsterInvalidDefinitionError):

        @dg.repository
        def repo():
            return [asset_requires_resource]

        repo.get_all_jobs()


def test_with_resources_copy_alongside_another_copy_is_a_duplicate_asset(dg):
    # Seed 000, "Attempting to load ... an asset redefined via with_resources in the outermost scope along with the
    # original asset may result in a 'asset is defined multiple times' error." Two bound copies of one asset are
    # used so that the only problem is the duplicate key (the bare original would also lack its resource).
    calls = []
    foo_resource, asset_requires_resource = _foo_assets(dg, calls)
    (first,) = dg.with_resources(definitions=[asset_requires_resource], resource_defs={"foo": foo_resource})
    (second,) = dg.with_resources(definitions=[asset_requires_resource], resource_defs={"foo": foo_resource})

    assert dg.materialize([first]).success
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([first, second])
