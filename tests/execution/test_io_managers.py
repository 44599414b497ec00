"""IO managers (issue 3 section 2): ``FilesystemIOManager``, ``InMemoryIOManager``, custom managers and the
contexts they receive, ``io_manager_key`` routing, and the errors when a value cannot be stored or found.

The basic round trip and the ``base_dir/pre/e`` layout are also checked side by side with Dagster in
tests/compat/test_execution_compat.py; here the focus is on resnb's guarantees (atomic writes, exact file layout,
messages naming the asset).
"""

import os
import pickle
import threading

import pytest

import resnb as dg
from resnb.errors import DefinitionError, IOManagerError


def _files(root):
    """Every file under ``root``, as paths relative to it with '/' separators."""
    found = []
    for directory, _, names in os.walk(root):
        for name in names:
            found.append(os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/"))
    return sorted(found)


@dg.asset(key_prefix="pre")
def e():
    return {"rows": [1, 2, 3]}


@dg.asset(ins={"e": dg.AssetIn(key=["pre", "e"])})
def total(e):
    return sum(e["rows"])


# --------------------------------------------------------------------------------------------------
# FilesystemIOManager
# --------------------------------------------------------------------------------------------------


def test_one_pickle_file_per_asset_key_and_nothing_else(tmp_path):
    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    result = dg.materialize([e, total], resources={"io_manager": manager})
    assert result.success
    assert _files(tmp_path) == ["pre/e", "total"]
    with open(tmp_path / "pre" / "e", "rb") as fh:
        assert pickle.load(fh) == {"rows": [1, 2, 3]}
    with open(tmp_path / "total", "rb") as fh:
        assert pickle.load(fh) == 6
    assert result.asset_value("total") == 6  # also available from the result


def test_round_trip_across_two_materialize_calls(tmp_path):
    calls = []

    @dg.asset(key_prefix="pre", name="e")
    def counted_e():
        calls.append("e")
        return {"rows": [10, 20]}

    first = dg.materialize(
        [counted_e, total], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    )
    assert first.asset_value("total") == 30

    # a new manager object, a new run: only ``total`` runs and reads pre/e from disk
    second = dg.materialize(
        [counted_e, total],
        selection=[total],
        resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))},
    )
    assert calls == ["e"]
    assert [r.step_key for r in second.step_records] == ["total"]
    assert second.asset_value("total") == 30


def test_rewrite_replaces_the_value_and_leaves_no_temporary_files(tmp_path):
    values = iter([1, 2])

    @dg.asset
    def changing():
        return next(values)

    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    dg.materialize([changing], resources={"io_manager": manager})
    dg.materialize([changing], resources={"io_manager": manager})
    assert _files(tmp_path) == ["changing"]
    with open(tmp_path / "changing", "rb") as fh:
        assert pickle.load(fh) == 2


def test_unpicklable_value_names_the_asset_and_keeps_the_previous_file(tmp_path):
    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    dg.materialize([e], resources={"io_manager": manager})

    @dg.asset(key_prefix="pre", name="e")
    def bad_e():
        return threading.Lock()

    with pytest.raises(IOManagerError) as info:
        dg.materialize([bad_e], resources={"io_manager": manager})
    message = str(info.value)
    assert "asset 'pre/e'" in message
    assert "cannot be pickled" in message
    assert "io_manager_key" in message
    assert isinstance(info.value.__cause__, TypeError)
    assert _files(tmp_path) == ["pre/e"]  # no temporary file left behind
    with open(tmp_path / "pre" / "e", "rb") as fh:
        assert pickle.load(fh) == {"rows": [1, 2, 3]}  # the previous value is intact


def test_failed_write_removes_the_temporary_file_and_keeps_the_previous_value(tmp_path, monkeypatch):
    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    dg.materialize([e], resources={"io_manager": manager})

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)

    @dg.asset(key_prefix="pre", name="e")
    def new_e():
        return {"rows": []}

    with pytest.raises(OSError, match="disk full"):
        dg.materialize([new_e], resources={"io_manager": manager})
    monkeypatch.undo()
    assert _files(tmp_path) == ["pre/e"]
    with open(tmp_path / "pre" / "e", "rb") as fh:
        assert pickle.load(fh) == {"rows": [1, 2, 3]}


def test_missing_upstream_on_disk_names_the_asset_and_what_to_do(tmp_path):
    manager = dg.FilesystemIOManager(base_dir=str(tmp_path))
    with pytest.raises(IOManagerError) as info:
        dg.materialize([e, total], selection=[total], resources={"io_manager": manager})
    message = str(info.value)
    assert "asset 'pre/e'" in message
    assert "input 'e' of 'total'" in message
    assert str(tmp_path) in message
    assert "Materialise it first" in message


def test_op_outputs_are_stored_under_run_step_and_output(tmp_path):
    @dg.op
    def produce():
        return 5

    @dg.op
    def double(x):
        return x * 2

    @dg.job(resource_defs={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))})
    def j():
        double(produce())

    result = j.execute_in_process()
    assert result.output_for_node("double") == 10
    assert _files(tmp_path) == [f"{result.run_id}/double/result", f"{result.run_id}/produce/result"]


# --------------------------------------------------------------------------------------------------
# InMemoryIOManager
# --------------------------------------------------------------------------------------------------


def test_in_memory_missing_upstream_error():
    with pytest.raises(IOManagerError) as info:
        dg.materialize([e, total], selection=[total])
    message = str(info.value)
    assert "asset 'pre/e'" in message
    assert "input 'e' of 'total'" in message
    assert "Include it in the selection" in message
    assert "FilesystemIOManager" in message


def test_in_memory_manager_keeps_values_by_asset_key():
    manager = dg.InMemoryIOManager()
    dg.materialize([e, total], resources={"io_manager": manager})
    assert manager.values[("pre", "e")] == {"rows": [1, 2, 3]}
    assert manager.values[("total",)] == 6


def test_shared_in_memory_manager_carries_values_to_a_later_run():
    manager = dg.InMemoryIOManager()
    dg.materialize([e], resources={"io_manager": manager})
    result = dg.materialize([e, total], selection=[total], resources={"io_manager": manager})
    assert result.asset_value("total") == 6


# --------------------------------------------------------------------------------------------------
# custom IO managers and their contexts
# --------------------------------------------------------------------------------------------------


def test_custom_io_manager_sees_asset_keys_and_upstream_output():
    seen = []

    class Recording(dg.IOManager):
        def __init__(self):
            self.store = {}

        def handle_output(self, context, obj):
            seen.append(("out", context.asset_key, context.step_key, context.name, context.has_asset_key))
            self.store[context.asset_key] = obj

        def load_input(self, context):
            upstream = context.upstream_output
            seen.append(("in", context.name, context.asset_key, upstream.asset_key, upstream.step_key))
            return self.store[upstream.asset_key]

    manager = Recording()
    # ``total`` alone: its input is loaded through the manager
    dg.materialize([e], resources={"io_manager": manager})
    result = dg.materialize([e, total], selection=[total], resources={"io_manager": manager})
    assert result.asset_value("total") == 6
    assert seen == [
        ("out", dg.AssetKey(["pre", "e"]), "pre__e", "result", True),
        ("in", "e", dg.AssetKey(["pre", "e"]), dg.AssetKey(["pre", "e"]), "pre__e"),
        ("out", dg.AssetKey("total"), "total", "result", True),
    ]


def test_configurable_io_manager_uses_its_config_and_contexts(tmp_path):
    class TextIO(dg.ConfigurableIOManager):
        root: str
        suffix: str = ".txt"

        def _path(self, key):
            return os.path.join(self.root, "_".join(key.path) + self.suffix)

        def handle_output(self, context, obj):
            with open(self._path(context.asset_key), "w") as fh:
                fh.write(str(obj))

        def load_input(self, context):
            assert context.asset_key == context.upstream_output.asset_key
            with open(self._path(context.upstream_output.asset_key)) as fh:
                return int(fh.read())

    @dg.asset
    def number():
        return 41

    @dg.asset
    def plus_one(number):
        return number + 1

    manager = TextIO(root=str(tmp_path))
    dg.materialize([number], resources={"io_manager": manager})
    result = dg.materialize([number, plus_one], selection="plus_one", resources={"io_manager": manager})
    assert result.asset_value("plus_one") == 42
    assert _files(tmp_path) == ["number.txt", "plus_one.txt"]


def test_io_manager_key_routes_each_output():
    stores = {"fast": {}, "slow": {}}

    def manager_for(name):
        class Keyed(dg.IOManager):
            def handle_output(self, context, obj):
                stores[name][context.asset_key.to_user_string()] = obj

            def load_input(self, context):
                return stores[name][context.upstream_output.asset_key.to_user_string()]

        return Keyed()

    @dg.asset(io_manager_key="fast")
    def hot():
        return "h"

    @dg.asset(io_manager_key="slow")
    def cold(hot):
        return hot + "c"

    @dg.asset
    def default_one(cold):
        return cold + "d"

    result = dg.materialize(
        [hot, cold, default_one], resources={"fast": manager_for("fast"), "slow": manager_for("slow")}
    )
    assert stores == {"fast": {"hot": "h"}, "slow": {"cold": "hc"}}
    assert result.asset_value("default_one") == "hcd"


def test_multi_asset_outputs_routed_by_asset_out():
    stored = {}

    class Dict(dg.IOManager):
        def handle_output(self, context, obj):
            stored[context.asset_key] = obj

        def load_input(self, context):
            return stored[context.upstream_output.asset_key]

    @dg.multi_asset(outs={"left": dg.AssetOut(io_manager_key="dict_io"), "right": dg.AssetOut()})
    def split():
        return 1, 2

    result = dg.materialize([split], resources={"dict_io": Dict()})
    assert stored == {dg.AssetKey("left"): 1}
    assert result.asset_value("right") == 2


def test_missing_io_manager_key_is_a_missing_resource():
    @dg.asset(io_manager_key="warehouse_io")
    def stored():
        return 1

    with pytest.raises(DefinitionError) as info:
        dg.materialize([stored], resources={"warehouse": dg.InMemoryIOManager()})
    message = str(info.value)
    assert "Resource 'warehouse_io' required by asset 'stored'" in message
    assert "Did you mean 'warehouse'?" in message


def test_op_output_context_has_no_asset_key():
    seen = []

    class Ops(dg.IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context, obj):
            seen.append((context.has_asset_key, context.step_key, context.name, context.get_identifier()[1:]))
            self.values[(context.step_key, context.name)] = obj

        def load_input(self, context):
            up = context.upstream_output
            return self.values[(up.step_key, up.name)]

    @dg.op(out={"a": dg.Out(), "b": dg.Out(io_manager_key="ops_io")})
    def pair():
        return 1, 2

    @dg.job(resource_defs={"ops_io": Ops()})
    def j():
        pair()

    result = j.execute_in_process()
    assert result.output_for_node("pair", "b") == 2
    assert seen == [(False, "pair", "b", ["pair", "b"])]


def test_unselected_multi_asset_upstream_context_names_its_step_and_output():
    seen = []

    class Dict(dg.IOManager):
        def __init__(self):
            self.values = {}

        def handle_output(self, context, obj):
            self.values[context.asset_key] = obj

        def load_input(self, context):
            up = context.upstream_output
            seen.append((up.step_key, up.name, up.asset_key))
            return self.values[up.asset_key]

    @dg.multi_asset(outs={"left": dg.AssetOut(), "right": dg.AssetOut()})
    def split():
        return 1, 2

    @dg.asset
    def uses(right):
        return right * 10

    manager = Dict()
    dg.materialize([split], resources={"io_manager": manager})
    result = dg.materialize([split, uses], selection=[uses], resources={"io_manager": manager})
    assert result.asset_value("uses") == 20
    assert seen == [("split", "right", dg.AssetKey("right"))]
