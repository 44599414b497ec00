"""The public API: ``resnb.__all__``, the error tree, Dagster-named aliases and the error catalogue.

Deviation 7 (DESIGN.md section 2): errors are resnb's own classes with messages that say what to do next; the
Dagster class names are aliases so ``except`` / ``pytest.raises`` code ports unchanged. Assertions check key
phrases, not whole texts.
"""

import inspect

import pytest
from pydantic import Field

import resnb
import resnb as dg
from resnb import errors

# --------------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", resnb.__all__)
def test_every_public_name_resolves(name):
    assert getattr(resnb, name) is not None


def test_all_is_sorted_and_unique():
    assert list(resnb.__all__) == sorted(set(resnb.__all__))


def test_dir_lists_the_public_names():
    listed = dir(resnb)
    for name in (
        "build_resources",
        "ConfigurableResource",
        "EnvVar",
        "resource",
        "DagsterInvalidConfigError",
    ):
        assert name in listed
    assert set(resnb.__all__) <= set(listed)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError) as info:
        resnb.no_such_name  # noqa: B018
    assert "no_such_name" in str(info.value)


def test_resource_system_names_are_exported():
    for name in (
        "Config",
        "ConfigurableResource",
        "ConfigurableResourceFactory",
        "ConfigurableIOManager",
        "ConfigurableIOManagerFactory",
        "IOManager",
        "EnvVar",
        "IntEnvVar",
        "Field",
        "InitResourceContext",
        "PartialResource",
        "ResourceDefinition",
        "ResourceDependency",
        "ResourceParam",
        "Resources",
        "IAttachDifferentObjectToOpContext",
        "build_init_resource_context",
        "build_resources",
        "resource",
        "errors",
        "__version__",
    ):
        assert name in resnb.__all__, name


def test_errors_module_is_reachable():
    assert resnb.errors is errors


# --------------------------------------------------------------------------------------------------
# aliases and hierarchy
# --------------------------------------------------------------------------------------------------

ALIASES = {
    "DagsterError": errors.ResnbError,
    "DagsterInvalidDefinitionError": errors.DefinitionError,
    "DagsterInvalidConfigError": errors.ConfigError,
    "DagsterInvalidInvocationError": errors.InvocationError,
    "DagsterInvariantViolationError": errors.InvariantViolationError,
    "DagsterInvalidSubsetError": errors.InvalidSubsetError,
    "DagsterResourceFunctionError": errors.ResourceFunctionError,
    "DagsterUnknownResourceError": errors.UnknownResourceError,
    "DagsterUnknownPartitionError": errors.UnknownPartitionError,
    "DagsterUserCodeExecutionError": errors.UserCodeExecutionError,
    "DagsterExecutionStepExecutionError": errors.StepExecutionError,
}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_dagster_named_aliases_are_the_resnb_classes(alias):
    assert getattr(resnb, alias) is ALIASES[alias]
    assert alias in resnb.__all__


def test_resnb_names_of_errors_are_exported():
    for name in (
        "ResnbError",
        "ConfigError",
        "DefinitionError",
        "ResourceFunctionError",
        "UnknownResourceError",
    ):
        assert getattr(resnb, name) is getattr(errors, name)


def _error_classes():
    return [
        obj
        for name in errors.__all__
        if inspect.isclass(obj := getattr(errors, name)) and issubclass(obj, BaseException)
    ]


def test_every_error_subclasses_resnb_error():
    classes = _error_classes()
    assert len(classes) >= 15
    for cls in classes:
        if issubclass(cls, Warning):
            continue
        assert issubclass(cls, errors.ResnbError), cls


def test_hierarchy():
    assert issubclass(errors.UnknownResourceError, AttributeError)
    assert issubclass(errors.UnknownFieldError, TypeError)
    assert issubclass(errors.UnknownFieldError, errors.ConfigError)
    assert issubclass(errors.EnvVarError, errors.ConfigError)
    assert issubclass(errors.FrozenFieldError, errors.InvocationError)
    assert issubclass(errors.MissingResourceError, errors.DefinitionError)
    assert issubclass(errors.DuplicateDefinitionError, errors.DefinitionError)
    assert issubclass(errors.DependencyCycleError, errors.DefinitionError)
    assert issubclass(errors.DependencyCycleError, errors.InvariantViolationError)
    assert issubclass(errors.ResourceFunctionError, errors.UserCodeExecutionError)
    assert issubclass(errors.StepExecutionError, errors.UserCodeExecutionError)
    assert issubclass(errors.ResourceTeardownWarning, UserWarning)
    assert not issubclass(errors.ResourceTeardownWarning, errors.ResnbError)
    assert issubclass(errors.ResnbError, Exception)


def test_user_code_error_exposes_the_user_exception():
    cause = ValueError("x")
    try:
        raise errors.ResourceFunctionError("wrapped") from cause
    except errors.ResourceFunctionError as exc:
        assert exc.user_exception is cause


def test_did_you_mean_helper():
    assert errors.did_you_mean("prot", ["port", "host"]) == " Did you mean 'port'?"
    assert errors.did_you_mean("zzzz", ["port", "host"]) == ""


def test_ported_except_clauses_catch_resnb_errors():
    with pytest.raises(dg.DagsterError):
        with dg.build_resources({"bad-key": 1}):
            pass
    try:
        with dg.build_resources({"a": 1}) as res:
            res.b  # noqa: B018
    except dg.DagsterUnknownResourceError as exc:
        assert "'b'" in str(exc)
    else:
        pytest.fail("no error")


# --------------------------------------------------------------------------------------------------
# the catalogue: every message names the thing at fault and says what to do next
# --------------------------------------------------------------------------------------------------


class Db(dg.ConfigurableResource):
    host: str
    port: int = 5432
    password: str = Field(exclude=True, default="")


def _message(fn, error=errors.ResnbError):
    with pytest.raises(error) as info:
        fn()
    return str(info.value)


def _build(resources, **kwargs):
    def run():
        with dg.build_resources(resources, **kwargs):
            pass

    return run


def test_catalogue_unknown_field():
    text = _message(lambda: Db(host="h", prot=1), errors.UnknownFieldError)
    assert "Db has no field 'prot'" in text
    assert "Did you mean 'port'?" in text
    assert "Its fields are:" in text


def test_catalogue_frozen_field():
    def assign():
        Db(host="h").port = 1

    text = _message(assign, errors.FrozenFieldError)
    assert "Cannot set 'port' on Db" in text
    assert "Pass the value when constructing it" in text
    assert "model_copy(update=" in text
    assert "underscore attribute" in text


def test_catalogue_env_var_unset(monkeypatch):
    monkeypatch.delenv("RESNB_CATALOGUE_UNSET", raising=False)
    text = _message(_build({"db": Db(host=dg.EnvVar("RESNB_CATALOGUE_UNSET"))}), errors.EnvVarError)
    assert '"RESNB_CATALOGUE_UNSET" is not set' in text
    assert "resource 'db', field 'host'" in text
    assert "Set it in the environment" in text


def test_catalogue_env_var_not_an_int(monkeypatch):
    monkeypatch.setenv("RESNB_CATALOGUE_INT", "abc")
    text = _message(
        _build({"db": Db(host="h", port=dg.EnvVar.int("RESNB_CATALOGUE_INT"))}), errors.EnvVarError
    )
    assert "cannot be converted to an int" in text
    assert "Fix the variable's value" in text


def test_catalogue_env_var_str():
    text = _message(lambda: str(dg.EnvVar("NAME")), RuntimeError)
    assert "EnvVar('NAME')" in text
    assert ".get_value()" in text


def test_catalogue_run_config_invalid():
    text = _message(_build({"db": Db.configure_at_launch()}), errors.ConfigError)
    assert "Config for resource 'db'" in text
    assert "field 'host': Field required" in text
    assert "Provide it with resource_config={'db': {'config': {...}}}" in text


def test_catalogue_legacy_config_invalid():
    @dg.resource(config_schema={"url": str})
    def conn(init_context):
        return None

    text = _message(_build({"conn": conn}), errors.ConfigError)
    assert "Invalid config for resource 'conn'" in text
    assert "field 'url'" in text
    assert "Fix the values passed as config" in text


def test_catalogue_resource_config_unknown_key():
    text = _message(_build({"db": Db(host="h")}, resource_config={"dbs": {"config": {}}}), errors.ConfigError)
    assert "resource_config names resource 'dbs'" in text
    assert "Did you mean 'db'?" in text


def test_catalogue_resource_config_missing_wrapper():
    text = _message(_build({"db": Db(host="h")}, resource_config={"db": {"host": "x"}}), errors.ConfigError)
    assert "must be {'config': {...}}" in text
    assert "Wrap the values" in text


def test_catalogue_setup_failure():
    class Broken(dg.ConfigurableResource):
        def setup_for_execution(self, context):
            raise ConnectionError("refused")

    text = _message(_build({"broken": Broken()}), errors.ResourceFunctionError)
    assert "Error initialising resource 'broken'" in text
    assert "ConnectionError: refused" in text
    assert "torn down" in text


def test_catalogue_generator_without_yield():
    @dg.resource
    def never():
        return
        yield

    text = _message(_build({"never": never}), errors.ResourceFunctionError)
    assert "Resource 'never'" in text
    assert "must yield exactly one value" in text


def test_catalogue_generator_yields_twice():
    @dg.resource
    def twice():
        yield 1
        yield 2

    with pytest.warns(errors.ResourceTeardownWarning) as record:
        with dg.build_resources({"twice": twice}):
            pass
    text = " ".join(str(w.message) for w in record)
    assert "Resource 'twice' yielded more than once" in text
    assert "put cleanup after the yield" in text


def test_catalogue_teardown_failure():
    class Leaky(dg.ConfigurableResource):
        def teardown_after_execution(self, context):
            raise OSError("busy")

    with pytest.warns(errors.ResourceTeardownWarning) as record:
        with dg.build_resources({"leaky": Leaky()}):
            pass
    text = str(record[0].message)
    assert "Teardown of resource 'leaky' failed: OSError: busy" in text
    assert "fix the resource's teardown code" in text


def test_catalogue_dependency_cycle():
    @dg.resource(required_resource_keys={"b"})
    def a(init_context):
        return None

    @dg.resource(required_resource_keys={"a"})
    def b(init_context):
        return None

    text = _message(_build({"a": a, "b": b}), errors.DependencyCycleError)
    assert "a -> b -> a" in text
    assert "Break the cycle" in text


def test_catalogue_missing_dependency():
    @dg.resource(required_resource_keys={"db"})
    def user(init_context):
        return None

    text = _message(_build({"user": user}), errors.MissingResourceError)
    assert "Resource 'user' depends on resource 'db', which was not provided" in text
    assert "Add a resource under 'db'" in text


def test_catalogue_non_identifier_key():
    text = _message(_build({"bad-key": 1}), errors.DefinitionError)
    assert "'bad-key' is not a valid Python identifier" in text
    assert "rename it, for example to 'bad_key'" in text


def test_catalogue_not_a_mapping():
    text = _message(_build([1, 2]), errors.DefinitionError)
    assert "resources must be a mapping of key to resource" in text
    assert "got list" in text


def test_catalogue_nested_partial_not_top_level():
    class Inner(dg.ConfigurableResource):
        a: str

    class Outer(dg.ConfigurableResource):
        inner: Inner

    text = _message(_build({"outer": Outer(inner=Inner.configure_at_launch())}), errors.DefinitionError)
    assert "nested at Outer.inner" in text
    assert "must also be provided as a top-level resource" in text
    assert "Add the same object to resources={...}" in text


def test_catalogue_unknown_resource():
    def access():
        with dg.build_resources({"database": 1}) as res:
            res.databse  # noqa: B018

    text = _message(access, errors.UnknownResourceError)
    assert "Unknown resource 'databse'" in text
    assert "Available here: 'database'" in text
    assert "Did you mean 'database'?" in text
    assert "Provide a resource under the key 'databse'" in text


def test_catalogue_scoped_unknown_resource():
    @dg.resource(required_resource_keys={"a"})
    def user(init_context):
        return init_context.resources.b

    text = _message(_build({"a": 1, "b": 2, "user": user}), errors.UnknownResourceError)
    assert "Unknown resource 'b'" in text
    assert "required_resource_keys" in text


def test_catalogue_invocation_without_context():
    @dg.resource
    def needs_ctx(init_context):
        return None

    text = _message(needs_ctx, errors.InvocationError)
    assert "Resource 'needs_ctx' takes an init context" in text
    assert "build_init_resource_context(" in text


def test_catalogue_invocation_missing_key():
    @dg.resource(required_resource_keys={"c"})
    def needs_c(init_context):
        return None

    text = _message(lambda: needs_c(dg.build_init_resource_context()), errors.MissingResourceError)
    assert "Resource 'needs_c' requires 'c'" in text
    assert "build_init_resource_context(resources=" in text


def test_catalogue_get_resource_context_before_init():
    text = _message(lambda: Db(host="h").get_resource_context(), errors.InvariantViolationError)
    assert "Db.get_resource_context()" in text
    assert "Only the copy that build_resources/materialize hands to your code" in text


def test_catalogue_from_resource_context_with_teardown():
    class WithTeardown(dg.ConfigurableResource):
        def teardown_after_execution(self, context):
            pass

    text = _message(
        lambda: WithTeardown.from_resource_context(dg.build_init_resource_context()),
        errors.ResourceFunctionError,
    )
    assert "use from_resource_context_cm(context)" in text


def test_catalogue_legacy_field_in_config_class():
    class Legacy(dg.Config):
        n: int = dg.Field(int, default_value=1)

    text = _message(Legacy, errors.DefinitionError)
    assert "Legacy.n uses resnb.Field" in text
    assert "use pydantic.Field" in text


def test_catalogue_build_resources_instance_argument():
    text = _message(_build({"a": 1}, instance={"a": {}}), TypeError)
    assert "must be None" in text
    assert "resource_config={key: {'config': {...}}}" in text


def test_catalogue_resource_param_call_form():
    text = _message(lambda: dg.ResourceParam("not valid"), TypeError)
    assert "must be a valid identifier" in text
    assert "ResourceParam[T]" in text


def test_type_checking_imports_mirror_the_lazy_exports():
    """IDEs and type checkers read the ``if TYPE_CHECKING:`` block; it must name every lazy export."""
    import ast

    tree = ast.parse(inspect.getsource(resnb))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
    )
    imported = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == dict(resnb._EXPORTS)
