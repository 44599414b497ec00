"""``Definitions``, jobs over assets, ``with_resources``, ``@repository`` and ``@definitions`` (issue 3 section 1).

What is checked here is resnb's side of the contract: *when* problems are reported (lazily, as in Dagster
reference 9.7, except ``merge`` and ``@repository`` which are eager) and *what the messages say* (the key, who needs
it, what is available, the closest name). Valid programs are compared with Dagster in tests/compat/.
"""

import pytest

import resnb as dg
from resnb.errors import (
    ConfigError,
    DefinitionError,
    DependencyCycleError,
    DuplicateDefinitionError,
    InvalidSubsetError,
    InvariantViolationError,
    InvocationError,
    MissingResourceError,
)


class R(dg.ConfigurableResource):
    v: int = 1


@dg.asset
def needs_r(r: R):
    return r.v


@dg.op
def op_needs_db(db: R):
    return db.v


@dg.job
def db_job():
    op_needs_db()


# --------------------------------------------------------------------------------------------------
# missing resources: lazy, and the message says what to do
# --------------------------------------------------------------------------------------------------


def _assert_missing_r_message(message, available):
    assert "Resource 'r'" in message
    assert "asset 'needs_r'" in message
    assert f"Available resource keys: {available}." in message


def test_missing_resource_is_not_raised_by_definitions_construction():
    defs = dg.Definitions(assets=[needs_r], resources={"rr": R()})
    assert defs.assets == [needs_r]


@pytest.mark.parametrize(
    "trigger",
    [
        pytest.param(lambda defs: dg.Definitions.validate_loadable(defs), id="validate_loadable"),
        pytest.param(lambda defs: defs.resolve_job_def("__ASSET_JOB"), id="resolve_job_def"),
        pytest.param(lambda defs: defs.get_job_def("__ASSET_JOB"), id="get_job_def"),
        pytest.param(lambda defs: defs.resolve_implicit_global_asset_job_def(), id="implicit_job"),
        pytest.param(lambda defs: defs.get_implicit_global_asset_job_def(), id="get_implicit_job"),
        pytest.param(lambda defs: defs.resolve_all_job_defs(), id="resolve_all_job_defs"),
    ],
)
def test_missing_resource_raised_when_jobs_are_resolved(trigger):
    defs = dg.Definitions(assets=[needs_r], resources={"rr": R()})
    with pytest.raises(MissingResourceError) as info:
        trigger(defs)
    message = str(info.value)
    _assert_missing_r_message(message, "'io_manager', 'rr'")
    assert "Did you mean 'rr'?" in message


def test_missing_resource_raised_by_materialize():
    with pytest.raises(MissingResourceError) as info:
        dg.materialize([needs_r], resources={"rr": R()})
    _assert_missing_r_message(str(info.value), "'io_manager', 'rr'")
    assert "Did you mean 'rr'?" in str(info.value)


def test_missing_resource_error_is_a_definition_error():
    # ``except dg.DagsterInvalidDefinitionError`` keeps working
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([needs_r])
    assert issubclass(MissingResourceError, DefinitionError)


def test_missing_resource_without_a_close_name_has_no_suggestion():
    with pytest.raises(MissingResourceError) as info:
        dg.materialize([needs_r], resources={"warehouse": R()})
    message = str(info.value)
    _assert_missing_r_message(message, "'io_manager', 'warehouse'")
    assert "Did you mean" not in message


def test_missing_resource_declared_by_required_resource_keys():
    @dg.asset(required_resource_keys={"database"})
    def uses_db(context):
        return 1

    with pytest.raises(
        MissingResourceError,
        match=r"Resource 'database' required by asset 'uses_db'.*Did you mean 'databse'\?",
    ):
        dg.materialize([uses_db], resources={"databse": "x"})


def test_missing_resource_of_an_op_names_the_op_lazily():
    defs = dg.Definitions(jobs=[db_job], resources={"dbb": R()})
    with pytest.raises(MissingResourceError) as info:
        defs.resolve_job_def("db_job")
    message = str(info.value)
    assert "Resource 'db' required by op 'op_needs_db'" in message
    assert "'dbb'" in message
    assert "Did you mean 'dbb'?" in message
    with pytest.raises(MissingResourceError, match="op 'op_needs_db'"):
        db_job.execute_in_process()


def test_missing_resource_needed_by_a_resource():
    @dg.resource(required_resource_keys={"creds"})
    def client(init_context):
        return init_context.resources.creds

    @dg.asset(required_resource_keys={"client"})
    def uses_client(context):
        return context.resources.client

    defs = dg.Definitions(assets=[uses_client], resources={"client": client, "cred": "secret"})
    with pytest.raises(MissingResourceError) as info:
        dg.Definitions.validate_loadable(defs)
    message = str(info.value)
    assert "'client' depends on resource 'creds'" in message
    assert "Did you mean 'cred'?" in message


def test_unused_extra_resources_are_fine():
    @dg.asset
    def plain():
        return 1

    defs = dg.Definitions(assets=[plain], resources={"unused": R(), "also_unused": "x"})
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_implicit_global_asset_job_def().execute_in_process().asset_value("plain") == 1


def test_upstream_asset_not_given_is_a_definition_error_raised_lazily():
    # reference 9.1: an unannotated ``r`` is an upstream asset; resnb's message also points at the annotation
    @dg.asset
    def down(r):
        return r

    defs = dg.Definitions(assets=[down])
    with pytest.raises(DefinitionError) as info:
        dg.Definitions.validate_loadable(defs)
    message = str(info.value)
    assert "Input 'r' of asset 'down' is asset 'r', which none of the Definitions' assets produces" in message
    assert "ResourceParam" in message
    assert "__ASSET_JOB" not in message
    with pytest.raises(DefinitionError, match="Input 'r' of asset 'down'") as info:
        dg.materialize([down], raise_on_error=False)
    assert "which none of the assets given to materialize() produces" in str(info.value)
    assert "__ephemeral" not in str(info.value)


def test_upstream_asset_missing_from_a_named_asset_job_names_the_job():
    @dg.asset
    def down(r):
        return r

    defs = dg.Definitions(assets=[down], jobs=[dg.define_asset_job("nightly", selection=[down])])
    with pytest.raises(DefinitionError, match="which none of the assets of job 'nightly' produces"):
        defs.resolve_job_def("nightly")


def test_run_config_naming_no_step_of_the_implicit_job_says_definitions_assets():
    @dg.asset
    def cities():
        return 1

    job = dg.Definitions(assets=[cities]).resolve_implicit_global_asset_job_def()
    with pytest.raises(ConfigError) as info:
        job.execute_in_process(run_config={"ops": {"citis": {}}})
    message = str(info.value)
    assert "names 'citis', which is not one of the Definitions' assets" in message
    assert "Did you mean 'cities'?" in message
    assert "__ASSET_JOB" not in message


def test_upstream_asset_typo_gets_a_suggestion():
    @dg.asset
    def orders():
        return 1

    @dg.asset(ins={"x": dg.AssetIn("order")})
    def report(x):
        return x

    with pytest.raises(DefinitionError, match="is asset 'order'.*Did you mean 'orders'\\?"):
        dg.materialize([orders, report])


# --------------------------------------------------------------------------------------------------
# duplicates and cycles
# --------------------------------------------------------------------------------------------------


def test_duplicate_asset_key_names_both_definitions():
    @dg.asset(name="needs_r")
    def impostor():
        return 2

    defs = dg.Definitions(assets=[needs_r, impostor], resources={"r": R()})  # constructing is fine
    with pytest.raises(DuplicateDefinitionError) as info:
        dg.Definitions.validate_loadable(defs)
    message = str(info.value)
    assert "Duplicate asset key 'needs_r'" in message
    assert "needs_r (" in message and "impostor (" in message
    assert message.count("test_definitions.py:") == 2
    with pytest.raises(DuplicateDefinitionError, match="Duplicate asset key 'needs_r'"):
        dg.materialize([needs_r, impostor], resources={"r": R()})


def test_same_asset_object_twice_is_deduplicated():
    result = dg.materialize([needs_r, needs_r], resources={"r": R(v=4)})
    assert [r.step_key for r in result.step_records] == ["needs_r"]
    assert result.asset_value("needs_r") == 4


def test_with_resources_applied_twice_gives_duplicate_keys():
    first = dg.with_resources([needs_r], {"r": R(v=1)})
    second = dg.with_resources([needs_r], {"r": R(v=2)})
    with pytest.raises(DuplicateDefinitionError, match="needs_r"):
        dg.materialize([*first, *second])


def test_the_same_asset_given_as_is_and_through_with_resources_says_so():
    with pytest.raises(DuplicateDefinitionError) as info:
        dg.materialize([needs_r, *dg.with_resources([needs_r], {"r": R(v=1)})])
    message = str(info.value)
    assert "Asset 'needs_r'" in message and "was given twice" in message
    assert "with_resources(...)" in message and "Pass it only once" in message
    assert message.count("test_definitions.py:") == 1  # not the same location named twice


def test_dependency_cycle_lists_it():
    @dg.asset(deps=["cy_b"])
    def cy_a():
        return 1

    @dg.asset(deps=[cy_a])
    def cy_b():
        return 2

    defs = dg.Definitions(assets=[cy_a, cy_b])
    with pytest.raises(DependencyCycleError) as info:
        dg.Definitions.validate_loadable(defs)
    assert "cy_a -> cy_b -> cy_a" in str(info.value)
    assert info.value.cycle == ["cy_a", "cy_b", "cy_a"]
    # catchable both ways, as in Dagster (DIVE) and as a definition problem
    assert isinstance(info.value, InvariantViolationError)
    assert isinstance(info.value, DefinitionError)
    with pytest.raises(DependencyCycleError):
        dg.materialize([cy_a, cy_b])


def test_three_asset_cycle_through_inputs():
    @dg.asset(ins={"z": dg.AssetIn("c3")})
    def c1(z):
        return z

    @dg.asset
    def c2(c1):
        return c1

    @dg.asset
    def c3(c2):
        return c2

    with pytest.raises(DependencyCycleError) as info:
        dg.materialize([c1, c2, c3])
    cycle = info.value.cycle
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"c1", "c2", "c3"}


# --------------------------------------------------------------------------------------------------
# merge
# --------------------------------------------------------------------------------------------------


def test_merge_conflict_names_the_key_and_is_eager():
    with pytest.raises(InvariantViolationError) as info:
        dg.Definitions.merge(
            dg.Definitions(resources={"ok": "x"}),
            dg.Definitions(resources={"shared": R(v=1)}),
            dg.Definitions(resources={"shared": R(v=1)}),  # equal but a different object
        )
    message = str(info.value)
    assert "'shared'" in message
    assert "Definitions objects 1 and 2" in message


def test_merge_conflict_is_catchable_with_the_dagster_name():
    with pytest.raises(dg.DagsterInvariantViolationError):
        dg.Definitions.merge(dg.Definitions(resources={"r": "a"}), dg.Definitions(resources={"r": "b"}))


def test_merge_same_objects_twice_is_fine():
    resource = R(v=9)

    @dg.asset
    def other():
        return 0

    merged = dg.Definitions.merge(
        dg.Definitions(assets=[needs_r], resources={"r": resource}),
        dg.Definitions(assets=[needs_r, other], resources={"r": resource}, executor=dg.in_process_executor),
        dg.Definitions(jobs=[db_job], resources={"db": resource}),
    )
    assert merged.assets == [needs_r, other]
    assert merged.jobs == [db_job]
    assert merged.resources == {"r": resource, "db": resource}
    assert merged.executor is dg.in_process_executor
    assert merged.resolve_implicit_global_asset_job_def().execute_in_process().asset_value("needs_r") == 9


# --------------------------------------------------------------------------------------------------
# jobs by name
# --------------------------------------------------------------------------------------------------


def test_unknown_job_name_lists_jobs_with_a_suggestion():
    defs = dg.Definitions(assets=[needs_r], jobs=[db_job], resources={"r": R(), "db": R()})
    assert defs.job_names == ["__ASSET_JOB", "db_job"]
    with pytest.raises(InvariantViolationError) as info:
        defs.resolve_job_def("db_jb")
    message = str(info.value)
    assert "Could not find job 'db_jb'" in message
    assert "'__ASSET_JOB', 'db_job'" in message
    assert "Did you mean 'db_job'?" in message


def test_no_implicit_asset_job_without_assets():
    defs = dg.Definitions(jobs=[db_job], resources={"db": R()})
    assert defs.job_names == ["db_job"]
    with pytest.raises(InvariantViolationError, match="Could not find job '__ASSET_JOB'"):
        defs.resolve_job_def("__ASSET_JOB")


def test_resolved_job_has_definitions_resources_bound():
    defs = dg.Definitions(jobs=[db_job], resources={"db": R(v=3)})
    job_def = defs.resolve_job_def("db_job")
    assert isinstance(job_def, dg.JobDefinition)
    assert job_def.execute_in_process().output_for_node("op_needs_db") == 3
    assert db_job.resource_defs == {}  # the original job is untouched


def test_resolve_assets_def_and_unknown_key():
    defs = dg.Definitions(assets=[needs_r])
    assert defs.resolve_assets_def("needs_r") is needs_r
    assert defs.get_assets_def(dg.AssetKey("needs_r")) is needs_r
    with pytest.raises(InvariantViolationError, match="No asset 'need_r'.*Did you mean 'needs_r'\\?"):
        defs.resolve_assets_def("need_r")


# --------------------------------------------------------------------------------------------------
# define_asset_job
# --------------------------------------------------------------------------------------------------


@dg.asset
def src():
    return 1


@dg.asset
def mid(src):
    return src + 1


@dg.asset(group_name="reports")
def report(mid):
    return mid * 10


def test_define_asset_job_is_unresolved_until_definitions_resolve_it():
    job = dg.define_asset_job("aj", selection=[src, mid])
    assert job.name == "aj"
    assert not isinstance(job, dg.JobDefinition)
    defs = dg.Definitions(assets=[src, mid, report], jobs=[job])
    resolved = defs.resolve_job_def("aj")
    assert isinstance(resolved, dg.JobDefinition)
    result = resolved.execute_in_process()
    assert [r.step_key for r in result.step_records] == ["src", "mid"]
    assert result.asset_value("mid") == 2


def test_define_asset_job_without_selection_runs_everything_with_bound_resources():
    defs = dg.Definitions(
        assets=[src, mid, needs_r], jobs=[dg.define_asset_job("all")], resources={"r": R(v=7)}
    )
    result = defs.resolve_job_def("all").execute_in_process()
    assert {r.step_key for r in result.step_records} == {"src", "mid", "needs_r"}
    assert result.asset_value("needs_r") == 7


def test_define_asset_job_selection_by_name_and_group():
    defs = dg.Definitions(
        assets=[src, mid, report],
        jobs=[
            dg.define_asset_job("by_name", selection=["src", "mid"]),
            dg.define_asset_job("by_group", selection=dg.AssetSelection.groups("reports").upstream()),
        ],
    )
    by_name = defs.resolve_job_def("by_name").execute_in_process()
    assert [r.step_key for r in by_name.step_records] == ["src", "mid"]
    by_group = defs.resolve_job_def("by_group").execute_in_process()
    assert [r.step_key for r in by_group.step_records] == ["src", "mid", "report"]
    assert by_group.asset_value("report") == 20


def test_define_asset_job_unknown_selection_is_lazy_and_named():
    defs = dg.Definitions(assets=[src, mid], jobs=[dg.define_asset_job("bad", selection=["mdi"])])
    with pytest.raises(DefinitionError) as info:
        defs.resolve_job_def("bad")
    message = str(info.value)
    assert "mdi" in message
    assert "Did you mean 'mid'?" in message
    assert isinstance(info.value.__cause__, InvalidSubsetError)


# --------------------------------------------------------------------------------------------------
# with_resources
# --------------------------------------------------------------------------------------------------


def test_with_resources_binds_only_what_each_asset_needs():
    @dg.asset
    def plain():
        return 0

    bound_r, bound_plain = dg.with_resources([needs_r, plain], {"r": R(v=5), "extra": R()})
    assert set(bound_r.resource_defs) == {"r"}
    assert bound_plain.resource_defs == {}
    assert needs_r.resource_defs == {}  # the original is untouched
    assert bound_r.key == needs_r.key
    assert dg.materialize([bound_r, bound_plain]).asset_value("needs_r") == 5


def test_with_resources_conflict_with_materialize_resources():
    [bound] = dg.with_resources([needs_r], {"r": R(v=5)})
    with pytest.raises(InvocationError) as info:
        dg.materialize([bound], resources={"r": R(v=6)})
    message = str(info.value)
    assert "Asset 'needs_r'" in message
    assert "r" in message
    assert "Remove them from one place" in message


def test_with_resources_conflict_with_definitions_resources_is_lazy():
    [bound] = dg.with_resources([needs_r], {"r": R(v=5)})
    defs = dg.Definitions(assets=[bound], resources={"r": R(v=6)})
    with pytest.raises(dg.DagsterInvalidInvocationError, match="Asset 'needs_r'"):
        dg.Definitions.validate_loadable(defs)


def test_asset_resource_defs_conflict_with_top_level_resources():
    @dg.asset(resource_defs={"r": R(v=1)})
    def own(r: R):
        return r.v

    assert dg.materialize([own]).asset_value("own") == 1
    with pytest.raises(InvocationError, match="Asset 'own'"):
        dg.materialize([own], resources={"r": R(v=2)})


def test_with_resources_missing_key_is_raised_immediately():
    with pytest.raises(DefinitionError) as info:
        dg.with_resources([needs_r], {"rr": R()})
    message = str(info.value)
    assert "Resource 'r' required by asset 'needs_r'" in message
    assert "with_resources" in message
    assert "Given: 'rr'." in message
    assert "Did you mean 'rr'?" in message


def test_with_resources_resource_config_by_key_for_legacy_resource():
    @dg.resource(config_schema={"n": int})
    def counter(init_context):
        return init_context.resource_config["n"]

    @dg.asset(required_resource_keys={"counter"})
    def counted(context):
        return context.resources.counter

    [bound] = dg.with_resources([counted], {"counter": counter}, {"counter": {"config": {"n": 12}}})
    assert dg.materialize([bound]).asset_value("counted") == 12


# --------------------------------------------------------------------------------------------------
# @repository and @definitions
# --------------------------------------------------------------------------------------------------


def test_repository_validates_eagerly():
    with pytest.raises(MissingResourceError, match="Resource 'r' required by asset 'needs_r'"):

        @dg.repository
        def repo():
            return [needs_r]


def test_repository_list_and_dict_forms():
    @dg.repository
    def repo():
        return [*dg.with_resources([needs_r], {"r": R(v=2)}), src]

    assert isinstance(repo, dg.RepositoryDefinition)
    assert repo.name == "repo"
    assert {a.node_name for a in repo.assets} == {"needs_r", "src"}
    assert repo.get_job("__ASSET_JOB").execute_in_process().asset_value("needs_r") == 2

    @dg.repository(name="named")
    def repo2():
        return {"assets": [src, mid], "jobs": {"aj": dg.define_asset_job("aj", selection=[src])}}

    assert repo2.name == "named"
    assert [j.name for j in repo2.get_all_jobs()] == ["__ASSET_JOB", "aj"]


def test_definitions_decorator_is_lazy_and_callable():
    calls = []

    @dg.definitions
    def defs():
        calls.append(1)
        return dg.Definitions(assets=[src])

    assert calls == []  # nothing built at decoration
    built = defs()
    assert isinstance(built, dg.Definitions)
    assert calls == [1]
    assert built.assets == [src]
    assert isinstance(defs.load(), dg.Definitions)
    assert defs.__name__ == "defs"


def test_definitions_decorator_rejects_a_non_definitions_return():
    @dg.definitions
    def bad_defs():
        return [src]

    with pytest.raises(DefinitionError) as info:
        bad_defs()
    message = str(info.value)
    assert "'bad_defs'" in message
    assert "must return a Definitions" in message


# --------------------------------------------------------------------------------------------------
# what Definitions(...) itself rejects
# --------------------------------------------------------------------------------------------------


def test_resources_as_a_list_is_rejected():
    with pytest.raises(DefinitionError, match="resources must be a mapping.*got list"):
        dg.Definitions(resources=[R()])


def test_resource_key_must_be_an_identifier():
    with pytest.raises(DefinitionError, match="'my-db' is not a valid Python identifier.*'my_db'"):
        dg.Definitions(resources={"my-db": R()})


def test_non_asset_in_assets_is_rejected():
    with pytest.raises(
        DefinitionError,
        match="Definitions\\(assets=...\\) got <OpDefinition op_needs_db>, which is not an asset definition",
    ):
        dg.Definitions(assets=[op_needs_db])


def test_non_job_in_jobs_is_rejected():
    with pytest.raises(DefinitionError, match="Definitions\\(jobs=...\\) got .*, which is not a job"):
        dg.Definitions(jobs=[needs_r])
