"""Notebook 04: resource lifecycle (seed 003 "Lifecycle Management"; seed 000 context managers, once per process)."""

from cells import code, fails, md, section

FILENAME = "04_lifecycle.ipynb"

CELLS = [
    section(
        "title",
        """
        # Resource lifecycle: setup, teardown and "once per process"

        Many resources hold something that must be opened and closed: a connection, a temporary
        directory, a client session. This notebook shows where that code goes:

        - a context-manager *method* for a short-lived connection inside one asset,
        - `setup_for_execution` / `teardown_after_execution` for state that lives for a whole run,
        - `yield_for_execution` when setup and teardown belong in one `with` or `try`/`finally`,
        - the legacy context-manager `@resource` (a generator that yields once),

        and then *when* a resource is set up: once per process, which means once per run under the
        in-process executor and once per step under the multiprocess executor, shown with counts.
        """,
    ),
    code(
        """
        import os
        import sqlite3
        import sys
        import tempfile
        from contextlib import contextmanager

        import resnb as dg

        sys.path.insert(0, os.path.abspath("../examples"))
        workdir = tempfile.TemporaryDirectory()
        DB_PATH = os.path.join(workdir.name, "users.sqlite")
        with sqlite3.connect(DB_PATH) as conn:
            conn.execute("create table users (name text)")
            conn.executemany("insert into users values (?)", [("Ada",), ("Grace",)])
        conn.close()
        """
    ),
    section(
        "context-manager-method",
        """
        ## A context-manager method

        The seed's `DatabaseConnection` opens a connection per use with a `@contextmanager` method; the
        `finally` closes it when the asset's `with` block ends. `connect` is a stand-in that logs what
        happens (the `host` is a SQLite file here):
        """,
    ),
    code(
        """
        log = []


        class LoggedConnection(sqlite3.Connection):
            def close(self):
                log.append("close")
                super().close()


        def connect(host):
            log.append(f"connect {os.path.basename(host)}")
            return sqlite3.connect(host, factory=LoggedConnection)


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
                return conn.execute("SELECT * FROM users").fetchall()


        result = dg.materialize([query_users], resources={"database": DatabaseConnection(host=DB_PATH)})
        result.asset_value("query_users"), log
        """
    ),
    section(
        "setup-teardown",
        """
        ## `setup_for_execution` and `teardown_after_execution`

        For state that should live for the whole run, override `setup_for_execution(context)`: it is
        called once at the start of execution, before the first asset that needs the resource.
        `teardown_after_execution(context)` is called after the last one. The seed's `CacheResource`:
        """,
    ),
    code(
        """
        class CacheResource(dg.ConfigurableResource):
            cache_dir: str

            def setup_for_execution(self, context):
                # Called once at the start of execution
                os.makedirs(self.cache_dir, exist_ok=True)
                self._cache = {}

            def get(self, key):
                return self._cache.get(key)

            def set(self, key, value):
                self._cache[key] = value


        @dg.asset
        def writer(cache: CacheResource):
            cache.set("greeting", "hello")
            return 1


        @dg.asset
        def reader(writer, cache: CacheResource):
            return cache.get("greeting")


        cache = CacheResource(cache_dir=os.path.join(workdir.name, "cache", "nested"))
        result = dg.materialize([writer, reader], resources={"cache": cache})
        result.asset_value("reader"), os.path.isdir(cache.cache_dir)
        """
    ),
    md(
        """
        Both assets saw the same cache: one setup for the run. Setup ran on a **per-run copy** of the
        resource, so the object you constructed is untouched and can be used for the next run. (Public
        fields stay frozen; underscore attributes such as `self._cache` may be assigned on the copy.)
        """
    ),
    code('hasattr(cache, "_cache")'),
    md("Add a teardown and log the order of events:"),
    code(
        """
        log.clear()


        class LoggedCache(CacheResource):
            def setup_for_execution(self, context):
                log.append("setup")
                super().setup_for_execution(context)

            def teardown_after_execution(self, context):
                log.append(f"teardown ({len(self._cache)} cached entries)")


        @dg.asset
        def logged_writer(cache: LoggedCache):
            log.append("step logged_writer")
            cache.set("greeting", "hello")


        @dg.asset
        def logged_reader(logged_writer, cache: LoggedCache):
            log.append("step logged_reader")
            return cache.get("greeting")


        dg.materialize([logged_writer, logged_reader], resources={"cache": LoggedCache(cache_dir=workdir.name)})
        log
        """
    ),
    md("A failing setup fails the run and names the resource; the original exception is chained:"),
    fails(
        """
        class Unreachable(dg.ConfigurableResource):
            host: str

            def setup_for_execution(self, context):
                raise ConnectionError(f"cannot reach {self.host}")


        @dg.asset
        def needs_unreachable(db: Unreachable):
            return 1


        dg.materialize([needs_unreachable], resources={"db": Unreachable(host="db.invalid")})
        """
    ),
    section(
        "yield-for-execution",
        """
        ## `yield_for_execution`: setup and teardown in one place

        When opening and closing belong together (a `with` statement, a `try`/`finally`), override
        `yield_for_execution` as a `@contextmanager` and `yield` the resource. It replaces
        `setup_for_execution` and `teardown_after_execution`:
        """,
    ),
    code(
        """
        log.clear()


        class SqliteSession(dg.ConfigurableResource):
            path: str

            @contextmanager
            def yield_for_execution(self, context):
                self._conn = connect(self.path)
                try:
                    yield self
                finally:
                    self._conn.close()

            def count(self, table):
                return self._conn.execute(f"select count(*) from {table}").fetchone()[0]


        @dg.asset
        def user_count(session: SqliteSession):
            log.append("step user_count")
            return session.count("users")


        result = dg.materialize([user_count], resources={"session": SqliteSession(path=DB_PATH)})
        result.asset_value("user_count"), log
        """
    ),
    section(
        "legacy-context-manager",
        """
        ## Context-manager resources with `@resource`

        With the legacy `@resource` decorator (notebook 06), a resource function that **yields** is a
        context manager. At spin-up the code before the `yield` runs; the yielded object is what ops and
        assets receive; once execution finishes, the `finally` block runs. The seed's `db_connection`,
        with stand-ins for `get_db_connection` and `cleanup_db_connection`:
        """,
    ),
    code(
        """
        log.clear()


        def get_db_connection():
            return connect(DB_PATH)


        def cleanup_db_connection(db_conn):
            db_conn.close()


        @dg.resource
        def db_connection():
            try:
                db_conn = get_db_connection()
                yield db_conn
            finally:
                cleanup_db_connection(db_conn)


        @dg.op(required_resource_keys={"db_connection"})
        def count_users(context):
            log.append("step count_users")
            return context.resources.db_connection.execute("select count(*) from users").fetchone()[0]


        @dg.op(required_resource_keys={"db_connection"})
        def report(context, n):
            log.append("step report")
            return f"{n} users"


        @dg.job(resource_defs={"db_connection": db_connection})
        def users_job():
            report(count_users())


        users_job.execute_in_process().output_for_node("report"), log
        """
    ),
    md(
        """
        One connect before the first step, one close after the last. A resource function must yield
        **exactly once**. A second `yield` is reached only at teardown; resnb does not fail the run for
        it (neither does Dagster) but reports it as a `ResourceTeardownWarning` naming the resource:
        """
    ),
    code(
        """
        @dg.resource
        def yields_twice():
            yield "first"
            yield "second"


        with dg.build_resources({"twice": yields_twice}) as resources:
            print("value:", resources.twice)
        """
    ),
    section(
        "once-per-process",
        """
        ## Once per process: in-process vs. multiprocess executor

        Resources are initialised (and torn down) **once per process**:

        - the **in-process executor** runs every step in one process, so a resource is set up before the
          first step and torn down after the last one: once per run;
        - the **multiprocess executor** runs each step in its own process, so each step sets up the
          resources it needs at its start and tears them down at its end: once per step.

        Counting needs care: a counter incremented in a child process never comes back to the notebook.
        The example module `examples/lifecycle` therefore has a `CountedConnection` resource that leaves a
        marker *file* for every setup and teardown, and three assets that use it (`orders`, `customers`,
        and `report`, which depends on both). The assets live in an importable module, so the child
        processes can run them whichever way they are started.
        """,
    ),
    code(
        """
        from lifecycle.definitions import ASSETS, CountedConnection, count_events


        def run_and_count(executor):
            \"\"\"Materialise the three assets with ``executor``; the setups, teardowns and processes seen.\"\"\"
            with tempfile.TemporaryDirectory() as log_dir:
                resources = {"connection": CountedConnection(log_dir=log_dir)}
                result = dg.materialize(ASSETS, resources=resources, executor=executor)
                return count_events(log_dir), result.asset_value("report")
        """
    ),
    md("The in-process executor (the default of `materialize`): three steps, one setup, one process."),
    code(
        """
        counts, step_pids = run_and_count(dg.in_process_executor)
        print(counts)
        print("steps ran in this process:", set(step_pids) == {os.getpid()})
        """
    ),
    md("The multiprocess executor: one setup and one teardown per step, each in the step's own process."),
    code(
        """
        counts, step_pids = run_and_count(dg.multiprocess_executor)
        print(counts)
        print("step processes:", len(set(step_pids)), "| notebook process among them:", os.getpid() in step_pids)
        """
    ),
    md(
        """
        On Linux, step processes are started by forking this one. On macOS and Windows they are started
        with `spawn`: a fresh interpreter that imports the assets and resources by module name, which is
        why they live in `examples/lifecycle` and not in a notebook cell. The counts are the same:
        """
    ),
    code(
        """
        spawning_executor = dg.multiprocess_executor.configured({"start_method": "spawn"})
        counts, step_pids = run_and_count(spawning_executor)
        counts
        """
    ),
    section(
        "executors-on-jobs",
        """
        ### Executors on jobs

        A job carries its executor (`executor_def=`). `examples/lifecycle` defines one job per executor,
        with the marker directory read from the environment variable `LIFECYCLE_LOG_DIR` (child processes
        inherit it). `dg.execute_job(dg.reconstructable(get_multiprocess_job))` runs a job **with its
        executor**, while `job.execute_in_process()` always runs in this process, whatever the executor
        (as in Dagster). `get_multiprocess_job` is a module-level function returning the job.

        **On Dagster** `execute_job` also needs an instance, and the job must be reconstructable from a
        module (a module-level `@job`, or a module-level function returning the job, as here):
        `dg.execute_job(dg.reconstructable(get_multiprocess_job), instance=dg.DagsterInstance.get())`, with
        `DAGSTER_HOME` set (the multiprocess executor needs a persistent instance). resnb runs that line
        as it is (`instance` is ignored); the shorter `dg.execute_job(job)` and `job.execute()` are
        resnb-only.
        """,
    ),
    code(
        """
        from lifecycle.definitions import defs, get_multiprocess_job


        def run_job_and_count(run):
            with tempfile.TemporaryDirectory() as log_dir:
                os.environ["LIFECYCLE_LOG_DIR"] = log_dir
                run()
                return count_events(log_dir)


        multiprocess_job = defs.resolve_job_def("multiprocess_job")
        {
            "execute_job(reconstructable(...))": run_job_and_count(
                lambda: dg.execute_job(dg.reconstructable(get_multiprocess_job))
            ),
            "multiprocess_job.execute() (resnb only)": run_job_and_count(multiprocess_job.execute),
            "multiprocess_job.execute_in_process()": run_job_and_count(multiprocess_job.execute_in_process),
        }
        """
    ),
    md(
        """
        The same comparison runs from a terminal: `cd examples && python -m lifecycle`.

        Rules of thumb that follow:

        - Expensive setup (a connection pool, a model loaded into memory) is paid once per step under the
          multiprocess executor. Keep it lazy, or run related steps in one process.
        - Anything a step must hand to the next travels through the IO manager (notebook 07), never
          through resource state: under the multiprocess executor, state set in one step's process is gone
          when the step ends.
        """
    ),
    section(
        "in-the-notebook",
        """
        ## Setup and teardown from the notebook extension

        With the `resnb` extension, `%build_resources KEY` runs a resource's setup **now** and keeps it
        open across cells, so you can poke at it; `%teardown_resources` runs the teardown. The marker
        files show each step:
        """,
    ),
    code(
        """
        %load_ext resnb
        notebook_log_dir = tempfile.TemporaryDirectory()
        os.environ["LIFECYCLE_LOG_DIR"] = notebook_log_dir.name
        %load_defs lifecycle.definitions:defs
        """
    ),
    code("%build_resources connection"),
    code("count_events(notebook_log_dir.name)"),
    code("%teardown_resources"),
    code(
        """
        print(count_events(notebook_log_dir.name))
        notebook_log_dir.cleanup()
        """
    ),
    section(
        "cleanup",
        """
        ## Clean up

        Next: `05_testing_with_resources.ipynb`.
        """,
    ),
    code(
        """
        os.environ.pop("LIFECYCLE_LOG_DIR", None)
        workdir.cleanup()
        """
    ),
]
