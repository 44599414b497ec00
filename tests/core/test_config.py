"""``Config`` and ``ConfigurableResource`` as pydantic models (DESIGN.md section 2, reference section 1).

Stricter than Dagster where Dagster is silent: unknown keyword arguments are an error naming the closest field
(deviation 3), a missing required field says "Field required" (deviation 3), and public fields are frozen while
underscore attributes stay writable on the per-run copy (deviation 2).
"""

import functools
from abc import abstractmethod

import pydantic
import pytest
from pydantic import Field, PrivateAttr, ValidationError

import resnb as dg
from resnb.errors import DefinitionError, FrozenFieldError, UnknownFieldError


class Database(dg.ConfigurableResource):
    """Connects to the warehouse."""

    host: str = Field(description="Host name of the server")
    port: int = 5432
    user: str = "admin"


class Settings(dg.Config):
    """Run settings."""

    limit: int = 10
    label: str


# --------------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------------


def test_configurable_resource_is_a_frozen_pydantic_model():
    assert issubclass(dg.ConfigurableResource, pydantic.BaseModel)
    assert issubclass(dg.ConfigurableResource, dg.Config)
    assert issubclass(dg.ConfigurableResource, dg.ConfigurableResourceFactory)
    assert Database.model_config["frozen"] is True
    assert not isinstance(Database(host="h"), dg.ResourceDefinition)


def test_fields_keep_their_values_and_defaults():
    db = Database(host="h", port="6543")  # lax coercion, as in pydantic
    assert (db.host, db.port, db.user) == ("h", 6543, "admin")


def test_construction_is_keyword_only():
    with pytest.raises(TypeError):
        Database("h")
    with pytest.raises(TypeError):
        Settings(5, "x")


def test_wrong_type_is_a_pydantic_validation_error_naming_the_field():
    with pytest.raises(ValidationError) as info:
        Database(host="h", port="not-a-number")
    text = str(info.value)
    assert text.splitlines()[0] == "1 validation error for Database"
    assert "port" in text
    assert "valid integer" in text
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------------------------------
# frozen public fields, writable underscore attributes (deviation 2)
# --------------------------------------------------------------------------------------------------


def test_assigning_a_declared_field_raises_frozen_field_error_naming_it():
    db = Database(host="h")
    with pytest.raises(FrozenFieldError) as info:
        db.port = 1
    assert "'port'" in str(info.value)
    assert "Database" in str(info.value)
    assert db.port == 5432


def test_frozen_field_error_is_the_dagster_invalid_invocation_error():
    db = Database(host="h")
    with pytest.raises(dg.DagsterInvalidInvocationError):
        db.host = "other"


def test_assigning_an_undeclared_public_attribute_is_also_refused():
    db = Database(host="h")
    with pytest.raises(FrozenFieldError) as info:
        db.extra = 1
    assert "'extra'" in str(info.value)
    assert not hasattr(db, "extra")


def test_deleting_a_field_is_refused():
    db = Database(host="h")
    with pytest.raises(FrozenFieldError) as info:
        del db.host
    assert "'host'" in str(info.value)
    assert db.host == "h"


def test_plain_config_fields_are_frozen_too():
    s = Settings(label="x")
    with pytest.raises(FrozenFieldError) as info:
        s.limit = 3
    assert "'limit'" in str(info.value)
    assert "Settings" in str(info.value)


def test_frozen_error_says_how_to_change_a_value():
    with pytest.raises(FrozenFieldError) as info:
        Database(host="h").port = 1
    text = str(info.value)
    assert "Database(port=...)" in text
    assert "model_copy(update=" in text
    assert "self._port" in text


def test_underscore_attributes_are_writable_on_the_per_run_copy():
    """Seed 003: ``self._cache = {}`` in ``setup_for_execution``."""

    class CacheResource(dg.ConfigurableResource):
        cache_dir: str

        def setup_for_execution(self, context):
            self._cache = {}

        def get(self, key):
            return self._cache.get(key)

        def set(self, key, value):
            self._cache[key] = value

    declared = CacheResource(cache_dir="/tmp/cache")
    with dg.build_resources({"cache": declared}) as res:
        res.cache.set("a", 1)
        assert res.cache.get("a") == 1
        assert res.cache._cache == {"a": 1}
    assert not hasattr(declared, "_cache")


def test_declared_private_attr_is_assignable_in_setup():
    class Conn(dg.ConfigurableResource):
        url: str = "sqlite://"
        _conn: object = PrivateAttr(default=None)

        def setup_for_execution(self, context):
            self._conn = ("open", self.url)

    declared = Conn()
    with dg.build_resources({"c": declared}) as res:
        assert res.c._conn == ("open", "sqlite://")
    assert declared._conn is None


def test_mutating_a_field_inside_setup_raises_frozen_field_error_unwrapped():
    class Mutates(dg.ConfigurableResource):
        n: int = 1

        def setup_for_execution(self, context):
            self.n = 2

    with pytest.raises(FrozenFieldError) as info:
        with dg.build_resources({"m": Mutates()}):
            pass
    assert "'n'" in str(info.value)


# --------------------------------------------------------------------------------------------------
# unknown keyword arguments and missing fields (deviation 3)
# --------------------------------------------------------------------------------------------------


def test_unknown_keyword_is_an_error_naming_it_and_the_closest_field():
    with pytest.raises(UnknownFieldError) as info:
        Database(host="h", prot=1)
    text = str(info.value)
    assert "'prot'" in text
    assert "Did you mean 'port'?" in text
    assert "host, port, user" in text


def test_unknown_keyword_without_close_match_lists_the_fields():
    with pytest.raises(UnknownFieldError) as info:
        Settings(label="x", zzzzzz=1)
    text = str(info.value)
    assert "'zzzzzz'" in text
    assert "Did you mean" not in text
    assert "label, limit" in text


def test_unknown_field_error_is_a_type_error_and_a_config_error():
    with pytest.raises(TypeError):
        Database(host="h", hots="x")
    with pytest.raises(dg.DagsterInvalidConfigError):
        Database(host="h", hots="x")


def test_missing_required_field_says_field_required_and_names_it():
    with pytest.raises(ValidationError) as info:
        Database(port=1)
    text = str(info.value)
    assert "Field required" in text
    assert "host" in text
    assert [e["loc"] for e in info.value.errors()] == [("host",)]


def test_missing_required_field_in_plain_config():
    with pytest.raises(ValidationError) as info:
        Settings()
    assert "Field required" in str(info.value)
    assert info.value.errors()[0]["loc"] == ("label",)


def test_optional_without_default_is_optional():
    """Reference 1.7: Dagster fills missing fields with None, so Optional[...] without a default is optional."""

    class O(dg.ConfigurableResource):
        a: str | None
        b: "int | None"

    o = O()
    assert o.a is None and o.b is None
    assert O(a="x").a == "x"


def test_aliases_are_accepted_names():
    class Aliased(dg.Config):
        value: int = Field(alias="val")

    assert Aliased(val=3).value == 3


# --------------------------------------------------------------------------------------------------
# descriptions, docstrings, equality, dumping
# --------------------------------------------------------------------------------------------------


def test_field_descriptions_and_docstrings_are_kept():
    assert Database.model_fields["host"].description == "Host name of the server"
    assert Database.model_fields["port"].description is None
    assert Database.__doc__ == "Connects to the warehouse."
    assert Settings.__doc__ == "Run settings."


def test_equality_and_hash_follow_pydantic():
    a = Database(host="h")
    b = Database(host="h")
    assert a == b
    assert hash(a) == hash(b)
    assert a != Database(host="other")
    assert len({a, b}) == 1


def test_repr_is_pydantic_style():
    assert repr(Database(host="h")) == "Database(host='h', port=5432, user='admin')"
    assert str(Database(host="h")) == "host='h' port=5432 user='admin'"


def test_model_dump_excludes_exclude_true_fields():
    class WithSecret(dg.ConfigurableResource):
        user: str
        password: str = Field(exclude=True)

    r = WithSecret(user="u", password="pw")
    assert r.model_dump() == {"user": "u"}
    assert r.password == "pw"
    assert set(WithSecret.model_fields) == {"user", "password"}


def test_model_copy_and_model_fields_work():
    db = Database(host="h")
    other = db.model_copy(update={"port": 1})
    assert other.port == 1 and db.port == 5432
    assert list(Database.model_fields) == ["host", "port", "user"]
    assert dict(db) == {"host": "h", "port": 5432, "user": "admin"}


# --------------------------------------------------------------------------------------------------
# subclassing, cached_property, abstract classes, nested Config
# --------------------------------------------------------------------------------------------------


def test_subclassing_inherits_fields_and_methods():
    class Base(dg.ConfigurableResource):
        a: int = 1

        def double(self):
            return self.a * 2

    class Child(Base):
        b: str = "x"

    c = Child(a=4)
    assert (c.a, c.b, c.double()) == (4, "x", 8)
    assert list(Child.model_fields) == ["a", "b"]
    with pytest.raises(UnknownFieldError) as info:
        Child(c=1)
    assert "'c'" in str(info.value)
    assert "Its fields are: a, b." in str(info.value)


def test_cached_property_is_computed_once_on_an_object():
    calls = []

    class Expensive(dg.ConfigurableResource):
        n: int = 3

        @functools.cached_property
        def square(self):
            calls.append(self.n)
            return self.n * self.n

    e = Expensive()
    assert e.square == 9
    assert e.square == 9
    assert calls == [3]
    assert "square" not in Expensive.model_fields


def test_cached_property_on_the_built_copy():
    class Expensive(dg.ConfigurableResource):
        n: int = 3

        @functools.cached_property
        def square(self):
            return self.n * self.n

    with dg.build_resources({"e": Expensive(n=4)}) as res:
        assert res.e.square == 16
        assert res.e.square is res.e.square


def test_abstract_factory_cannot_be_instantiated():
    class NoCreate(dg.ConfigurableResourceFactory):
        x: int = 1

    with pytest.raises(TypeError) as info:
        NoCreate()
    assert "create_resource" in str(info.value)


def test_abstract_resource_method_blocks_instantiation():
    class Client(dg.ConfigurableResource):
        @abstractmethod
        def fetch(self): ...

    class Real(Client):
        def fetch(self):
            return "data"

    with pytest.raises(TypeError):
        Client()
    assert Real().fetch() == "data"


def test_nested_config_objects_and_dicts():
    class Inner(dg.Config):
        x: int = 1

    class Outer(dg.Config):
        inner: Inner
        tags: dict[str, str] = {}
        names: list[str] = []

    o = Outer(inner={"x": 5}, names=["a"])
    assert isinstance(o.inner, Inner) and o.inner.x == 5
    assert Outer(inner=Inner(x=2)).inner.x == 2
    with pytest.raises(UnknownFieldError) as info:
        Outer(inner={"y": 5})
    assert "'y'" in str(info.value)


def test_legacy_field_as_default_is_a_definition_error_at_instantiation():
    class UsesLegacyField(dg.Config):
        n: int = dg.Field(int, default_value=3)

    with pytest.raises(DefinitionError) as info:
        UsesLegacyField()
    assert "pydantic.Field" in str(info.value)
    assert "UsesLegacyField.n" in str(info.value)


def test_to_config_schema_returns_the_class():
    assert Settings.to_config_schema() is Settings
