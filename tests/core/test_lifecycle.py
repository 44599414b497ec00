"""Resource lifecycle: setup/teardown/yield_for_execution, create_resource, factories, IO managers and the
context helpers (reference sections 5 and 6)."""

from contextlib import contextmanager

import pytest
from pydantic import Field

import resnb as dg
from resnb.errors import InvariantViolationError, ResourceFunctionError

# --------------------------------------------------------------------------------------------------
# setup / teardown / yield_for_execution
# --------------------------------------------------------------------------------------------------


def test_setup_and_teardown_run_on_the_copy():
    log = []

    class Conn(dg.ConfigurableResource):
        url: str = "db://"

        def setup_for_execution(self, context):
            log.append(("setup", id(self)))
            self._open = True

        def teardown_after_execution(self, context):
            log.append(("teardown", id(self), self._open))

    declared = Conn()
    with dg.build_resources({"conn": declared}) as res:
        copy_id = id(res.conn)
        assert res.conn is not declared
        assert res.conn._open is True
    assert log == [("setup", copy_id), ("teardown", copy_id, True)]


def test_setup_and_teardown_receive_the_init_context():
    seen = []

    class Conn(dg.ConfigurableResource):
        url: str = "db://"

        def setup_for_execution(self, context):
            seen.append(context)

        def teardown_after_execution(self, context):
            seen.append(context)

    with dg.build_resources({"conn": Conn()}) as res:
        pass
    assert len(seen) == 2
    assert seen[0] is seen[1]
    assert isinstance(seen[0], dg.InitResourceContext)
    assert seen[0].resource_key == "conn"
    assert seen[0].resource_config == {"url": "db://"}


def test_yield_for_execution_override_replaces_setup_and_teardown():
    log = []

    class Managed(dg.ConfigurableResource):
        name: str = "m"

        def setup_for_execution(self, context):
            log.append("setup-not-called")

        def teardown_after_execution(self, context):
            log.append("teardown-not-called")

        @contextmanager
        def yield_for_execution(self, context):
            log.append("enter")
            yield self
            log.append("exit")

    with dg.build_resources({"m": Managed()}) as res:
        log.append("body")
        assert res.m.name == "m"
    assert log == ["enter", "body", "exit"]


def test_yield_for_execution_may_call_setup_itself_and_yield_another_value():
    log = []

    class Managed(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            log.append("setup")

        @contextmanager
        def yield_for_execution(self, context):
            self.setup_for_execution(context)
            try:
                yield {"wrapped": True}
            finally:
                log.append("finally")

    with dg.build_resources({"m": Managed()}) as res:
        assert res.m == {"wrapped": True}
    assert log == ["setup", "finally"]


def test_yield_for_execution_exit_runs_when_body_raises():
    log = []

    class Managed(dg.ConfigurableResource):
        @contextmanager
        def yield_for_execution(self, context):
            try:
                yield self
            finally:
                log.append("exit")

    with pytest.raises(KeyError):
        with dg.build_resources({"m": Managed()}):
            raise KeyError("body")
    assert log == ["exit"]


def test_failing_setup_does_not_call_own_teardown():
    log = []

    class Boom(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise ValueError("no")

        def teardown_after_execution(self, context):
            log.append("teardown")

    with pytest.raises(ResourceFunctionError):
        with dg.build_resources({"b": Boom()}):
            pass
    assert log == []


def test_setup_only_resource_without_teardown():
    log = []

    class SetupOnly(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            log.append("setup")

    with dg.build_resources({"s": SetupOnly()}) as res:
        assert isinstance(res.s, SetupOnly)
    assert log == ["setup"]


# --------------------------------------------------------------------------------------------------
# create_resource and factories
# --------------------------------------------------------------------------------------------------


def test_create_resource_returning_another_object():
    class Client:
        def __init__(self, url):
            self.url = url

    class ClientResource(dg.ConfigurableResource):
        url: str

        def create_resource(self, context):
            return Client(self.url)

    with dg.build_resources({"client": ClientResource(url="http://x")}) as res:
        assert isinstance(res.client, Client)
        assert res.client.url == "http://x"


def test_configurable_resource_factory_value_is_create_resource_result():
    class Factory(dg.ConfigurableResourceFactory[dict]):
        size: int = 2

        def create_resource(self, context):
            return {"size": self.size, "key": context.resource_key}

    with dg.build_resources({"f": Factory(size=5)}) as res:
        assert res.f == {"size": 5, "key": "f"}


def test_factory_value_consumed_through_resource_param_annotation():
    class Factory(dg.ConfigurableResourceFactory[str]):
        prefix: str

        def create_resource(self, context):
            return self.prefix + "-value"

    class Consumer(dg.ConfigurableResource):
        text: dg.ResourceDependency[str]

    with dg.build_resources({"txt": Factory(prefix="p"), "c": Consumer(text=dg.ResourceParam("txt"))}) as res:
        assert res.txt == "p-value"
        assert res.c.text == "p-value"


def test_generator_create_resource_is_a_context_manager():
    log = []

    class Pool(dg.ConfigurableResourceFactory[list]):
        size: int = 2

        def create_resource(self, context):
            pool = [object() for _ in range(self.size)]
            log.append("open")
            try:
                yield pool
            finally:
                log.append("close")

    with dg.build_resources({"pool": Pool()}) as res:
        log.append("body")
        assert len(res.pool) == 2
    assert log == ["open", "body", "close"]


def test_generator_create_resource_with_setup_and_teardown_hooks():
    log = []

    class Pool(dg.ConfigurableResourceFactory[str]):
        def setup_for_execution(self, context):
            log.append("setup")

        def teardown_after_execution(self, context):
            log.append("teardown")

        def create_resource(self, context):
            log.append("open")
            yield "pool"
            log.append("close")

    with dg.build_resources({"pool": Pool()}) as res:
        assert res.pool == "pool"
    assert log == ["setup", "open", "close", "teardown"]


def test_generator_create_resource_without_yield_names_the_key():
    class Empty(dg.ConfigurableResourceFactory[str]):
        def create_resource(self, context):
            return
            yield

    with pytest.raises(ResourceFunctionError) as info:
        with dg.build_resources({"empty_pool": Empty()}):
            pass
    assert "'empty_pool'" in str(info.value)


# --------------------------------------------------------------------------------------------------
# get_resource_context / with_replaced_resource_context
# --------------------------------------------------------------------------------------------------


class Conn(dg.ConfigurableResource):
    url: str
    retries: int = 3


def test_get_resource_context_on_the_copy():
    with dg.build_resources({"conn": Conn(url="u")}) as res:
        ctx = res.conn.get_resource_context()
        assert isinstance(ctx, dg.InitResourceContext)
        assert ctx.resource_config == {"url": "u", "retries": 3}
        assert ctx.resource_key == "conn"
        assert len(ctx.resources) == 0


def test_get_resource_context_resolves_env_in_resource_config(monkeypatch):
    monkeypatch.setenv("RESNB_TEST_CTX_URL", "resolved")
    with dg.build_resources({"conn": Conn(url=dg.EnvVar("RESNB_TEST_CTX_URL"))}) as res:
        assert res.conn.get_resource_context().resource_config["url"] == "resolved"


def test_get_resource_context_on_the_declared_object_raises():
    declared = Conn(url="u")
    with pytest.raises(InvariantViolationError) as info:
        declared.get_resource_context()
    assert "Conn.get_resource_context()" in str(info.value)
    assert "build_resources" in str(info.value)
    with dg.build_resources({"conn": declared}):
        with pytest.raises(dg.DagsterInvariantViolationError):
            declared.get_resource_context()


def test_get_resource_context_inside_setup():
    seen = []

    class Spy(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            seen.append(self.get_resource_context() is context)

    with dg.build_resources({"s": Spy()}):
        pass
    assert seen == [True]


def test_with_replaced_resource_context_returns_an_equal_bound_copy():
    declared = Conn(url="u")
    ctx = dg.build_init_resource_context(config={"x": 1})
    bound = declared.with_replaced_resource_context(ctx)
    assert bound is not declared
    assert bound == declared
    assert bound.get_resource_context() is ctx
    with pytest.raises(InvariantViolationError):
        declared.get_resource_context()


# --------------------------------------------------------------------------------------------------
# from_resource_context / from_resource_context_cm / process_config_and_initialize
# --------------------------------------------------------------------------------------------------


def test_from_resource_context_in_a_legacy_wrapper():
    @dg.resource(config_schema=Conn.to_config_schema())
    def legacy_conn(init_context):
        return Conn.from_resource_context(init_context)

    with dg.build_resources(
        {"c": legacy_conn}, resource_config={"c": {"config": {"url": "from-run"}}}
    ) as res:
        assert isinstance(res.c, Conn)
        assert (res.c.url, res.c.retries) == ("from-run", 3)
        assert res.c.get_resource_context().resource_config == {"url": "from-run", "retries": 3}


def test_from_resource_context_keeps_exclude_true_fields():
    """Field(exclude=True) only affects dumping; the field is still config (reference 1.10)."""

    class Secretive(dg.ConfigurableResource):
        user: str
        password: str = Field(exclude=True)

    @dg.resource(config_schema=Secretive.to_config_schema())
    def legacy(init_context):
        return Secretive.from_resource_context(init_context)

    with dg.build_resources(
        {"s": legacy}, resource_config={"s": {"config": {"user": "u", "password": "pw"}}}
    ) as res:
        assert (res.s.user, res.s.password) == ("u", "pw")


def test_from_resource_context_refuses_resources_with_teardown():
    class WithTeardown(dg.ConfigurableResource):
        url: str = "x"

        def teardown_after_execution(self, context):
            pass

    @dg.resource(config_schema=WithTeardown.to_config_schema())
    def legacy(init_context):
        return WithTeardown.from_resource_context(init_context)

    with pytest.raises(dg.DagsterResourceFunctionError) as info:
        with dg.build_resources({"w": legacy}):
            pass
    assert "from_resource_context_cm" in str(info.value)


def test_from_resource_context_cm_tears_down_on_exit():
    log = []

    class WithTeardown(dg.ConfigurableResource):
        url: str = "x"

        def setup_for_execution(self, context):
            log.append(("setup", self.url))

        def teardown_after_execution(self, context):
            log.append(("teardown", self.url))

    @dg.resource(config_schema=WithTeardown.to_config_schema())
    def legacy(init_context):
        with WithTeardown.from_resource_context_cm(init_context) as value:
            yield value

    with dg.build_resources({"w": legacy}, resource_config={"w": {"config": {"url": "y"}}}) as res:
        log.append(("body", res.w.url))
    assert log == [("setup", "y"), ("body", "y"), ("teardown", "y")]


def test_from_resource_context_directly_with_build_init_resource_context():
    value = Conn.from_resource_context(dg.build_init_resource_context(config={"url": "direct"}))
    assert isinstance(value, Conn) and value.url == "direct"


def test_process_config_and_initialize_returns_initialised_value():
    log = []

    class Ready(dg.ConfigurableResource):
        n: int = 1

        def setup_for_execution(self, context):
            log.append("setup")
            self._ready = True

    declared = Ready()
    value = declared.process_config_and_initialize()
    assert value is not declared
    assert value._ready is True
    assert log == ["setup"]

    class Factory(dg.ConfigurableResourceFactory[int]):
        n: int = 4

        def create_resource(self, context):
            return self.n * 10

    assert Factory().process_config_and_initialize() == 40


# --------------------------------------------------------------------------------------------------
# IO managers
# --------------------------------------------------------------------------------------------------


def test_seed_003_resource_factory_pattern_through_build_resources(monkeypatch):
    """Seed 003 'Resource Factory Pattern': ConfigurableIOManagerFactory.create_io_manager's value is the resource."""
    fetched = []

    def fetch_from_api(token, key):
        fetched.append((token, key))
        return f"data-{key}"

    class ExternalService:
        def __init__(self, api_token):
            self._api_token = api_token
            self._cache = {}

        def fetch_data(self, key):
            if key in self._cache:
                return self._cache[key]
            data = fetch_from_api(self._api_token, key)
            self._cache[key] = data
            return data

    class ConfigurableExternalService(dg.ConfigurableIOManagerFactory):
        api_token: str

        def create_io_manager(self, context) -> ExternalService:
            return ExternalService(self.api_token)

    monkeypatch.setenv("RESNB_TEST_API_TOKEN", "tok")
    with dg.build_resources(
        {"svc": ConfigurableExternalService(api_token=dg.EnvVar("RESNB_TEST_API_TOKEN"))}
    ) as res:
        assert isinstance(res.svc, ExternalService)
        assert res.svc.fetch_data("a") == "data-a"
        assert res.svc.fetch_data("a") == "data-a"
    assert fetched == [("tok", "a")]


def test_configurable_io_manager_is_itself_the_io_manager():
    class MemoryIO(dg.ConfigurableIOManager):
        prefix: str = "p"

        def setup_for_execution(self, context):
            self._store = {}

        def handle_output(self, context, obj):
            self._store[context] = obj

        def load_input(self, context):
            return self._store[context]

    declared = MemoryIO()
    with dg.build_resources({"io_manager": declared}) as res:
        io = res.io_manager
        assert isinstance(io, MemoryIO) and isinstance(io, dg.IOManager)
        assert io is not declared
        io.handle_output("k", 42)
        assert io.load_input("k") == 42


def test_plain_io_manager_instance_is_passed_through():
    class PlainIO(dg.IOManager):
        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            return None

    io = PlainIO()
    with dg.build_resources({"io_manager": io}) as res:
        assert res.io_manager is io


def test_io_manager_factory_is_abstract_in_create_io_manager():
    class NoCreate(dg.ConfigurableIOManagerFactory):
        x: int = 1

    with pytest.raises(TypeError):
        NoCreate()
    with pytest.raises(TypeError):
        dg.IOManager()


def test_yield_for_execution_without_contextmanager_says_how_to_fix_it():
    class Plain(dg.ConfigurableResource):
        def yield_for_execution(self, context):  # missing @contextmanager
            yield self

    with pytest.raises(
        dg.DagsterInvalidDefinitionError, match=r"resource 'plain'.*@contextlib.contextmanager"
    ):
        with dg.build_resources({"plain": Plain()}):
            pass
