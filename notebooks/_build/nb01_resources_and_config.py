"""Notebook 01: defining resources and their configuration (seed 003: why, defining, configuration, EnvVar)."""

from cells import code, fails, md, section

FILENAME = "01_resources_and_config.ipynb"

CELLS = [
    section(
        "title",
        """
        # Resources and their configuration

        A **resource** is an object shared by the assets and ops that use it and plugged in *after* they
        are defined: a database connection, an API client, a cache. Resources let you

        - plug in different implementations in different environments (a test database, a production one),
        - share configuration across assets and ops (set the host in one place, not in every asset),
        - share implementations (one client class for every asset that talks to the service).

        This notebook covers defining a resource, configuring it (fields, defaults, descriptions,
        validation), reading configuration from environment variables with `EnvVar`, and how secrets
        stay out of everything that is printed. It runs offline: SQLite from the standard library plays
        the database, and every file lives in a temporary directory.

        `import resnb as dg` runs code written for `import dagster as dg`.
        """,
    ),
    code(
        """
        import os
        import sqlite3
        import tempfile
        from contextlib import closing

        from pydantic import Field

        import resnb as dg

        workdir = tempfile.TemporaryDirectory()  # removed in the last cell
        """
    ),
    section(
        "why",
        """
        ## Why resources matter

        Without resources, the connection is written into the asset. Here a SQLite file stands in for
        the seed's `psycopg2.connect("postgresql://prod-db:5432/users")`:
        """,
    ),
    code(
        """
        USERS_DB = os.path.join(workdir.name, "users.sqlite")
        with closing(sqlite3.connect(USERS_DB)) as conn, conn:
            conn.execute("create table users (id integer primary key, name text)")
            conn.executemany("insert into users (name) values (?)", [("Ada",), ("Grace",)])


        # ❌ Hardcoded - difficult to test and configure
        @dg.asset
        def fetch_users_hardcoded():
            conn = sqlite3.connect(USERS_DB)
            return conn.execute("SELECT * FROM users").fetchall()
        """
    ),
    md(
        """
        To run this asset against another database (a test copy, a replica) you would have to edit it.
        With a resource, the asset only says *what* it needs; *which* database is decided by whoever runs it:
        """
    ),
    code(
        """
        class UsersDatabase(dg.ConfigurableResource):
            path: str

            def execute(self, sql):
                with closing(sqlite3.connect(self.path)) as conn:
                    return conn.execute(sql).fetchall()


        # ✅ Using resources - easy to test and reconfigure
        @dg.asset
        def fetch_users(database: UsersDatabase):
            return database.execute("SELECT * FROM users")


        result = dg.materialize([fetch_users], resources={"database": UsersDatabase(path=USERS_DB)})
        result.asset_value("fetch_users")
        """
    ),
    md("The same asset, pointed at an empty database, without touching its code:"),
    code(
        """
        EMPTY_DB = os.path.join(workdir.name, "empty.sqlite")
        with closing(sqlite3.connect(EMPTY_DB)) as conn:
            conn.execute("create table users (id integer primary key, name text)")

        dg.materialize([fetch_users], resources={"database": UsersDatabase(path=EMPTY_DB)}).asset_value("fetch_users")
        """
    ),
    section(
        "defining",
        """
        ## Defining resources

        Subclass `dg.ConfigurableResource`, declare configuration as annotated class attributes and add
        the methods your assets will call:
        """,
    ),
    code(
        """
        class MyResource(dg.ConfigurableResource):
            value: str

            def get_value(self) -> str:
                return self.value


        my_resource = MyResource(value="hello")
        my_resource.get_value()
        """
    ),
    md(
        """
        A resource is a [pydantic](https://docs.pydantic.dev) model: it is constructed with keyword
        arguments, validated on construction, and **frozen** afterwards. To change a value, make a new
        object (`model_copy(update=...)`); the error says so:
        """
    ),
    fails('my_resource.value = "changed"'),
    code('my_resource.model_copy(update={"value": "changed"})'),
    section(
        "configuration",
        """
        ## Resource configuration

        Fields have type hints, defaults and validation. `Field(exclude=True)` marks a secret: it is used
        by the code but never shown. The seed's example, with a small `connect` function standing in for a
        database driver (SQLite ignores host, user and password):
        """,
    ),
    code(
        """
        def connect(host, port, user, password, database):
            \"\"\"Stand-in for a driver's connect(): one SQLite file per database name.\"\"\"
            return sqlite3.connect(os.path.join(workdir.name, f"{database}.sqlite"))


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
        """
    ),
    md("`port` takes its default; the password is masked in the repr and left out of `model_dump()`:"),
    code(
        """
        db = DatabaseResource(host="localhost", username="analyst", password="hunter2", database="users")
        db
        """
    ),
    code("db.model_dump()"),
    code(
        """
        with closing(db.get_connection()) as conn:
            print(conn.execute("SELECT name FROM users ORDER BY id").fetchall())
        """
    ),
    section(
        "descriptions",
        """
        ## Descriptions, defaults and constraints

        Document every resource with a docstring and every field with a `description`: tools (and the
        notebook extension's forms) show them. pydantic constraints such as `ge`/`le` are checked on
        construction.
        """,
    ),
    code(
        """
        class DocumentedDatabase(dg.ConfigurableResource):
            \"\"\"Connects to the users database.\"\"\"

            host: str = Field(description="Database host name")
            port: int = Field(default=5432, ge=1, le=65535, description="TCP port")
            timeout: float = Field(default=10.0, description="Seconds to wait for a connection")


        print(DocumentedDatabase.__doc__)
        for name, field in DocumentedDatabase.model_fields.items():
            default = "(required)" if field.is_required() else repr(field.default)
            print(f"{name:8s} {field.annotation.__name__:6s} {default:11s} {field.description}")
        """
    ),
    fails('DocumentedDatabase(host="localhost", port=70000)'),
    section(
        "validation",
        """
        ## Validation errors

        Mistakes are caught when the resource is constructed, before anything runs. A misspelt field is
        an error that names it and suggests the closest valid field (Dagster silently drops unknown
        keyword arguments; resnb does not):
        """,
    ),
    fails('DatabaseResource(host="localhost", username="analyst", password="hunter2", databse="users")'),
    md("A missing required field names the field. Note that even here the password is masked:"),
    fails('DatabaseResource(host="localhost", username="analyst", password="hunter2")'),
    md("A value of the wrong type says what was expected:"),
    fails(
        'DatabaseResource(host="localhost", port="fifty", username="analyst", password="hunter2", database="users")'
    ),
    md(
        """
        Both kinds of error are `dg.DagsterInvalidConfigError` or pydantic's `ValidationError` (a
        `ValueError`), so tests can expect them:
        """
    ),
    code(
        """
        issubclass(dg.errors.UnknownFieldError, dg.DagsterInvalidConfigError)
        """
    ),
    section(
        "envvar",
        """
        ## Environment variables

        `dg.EnvVar("NAME")` stands for the value of an environment variable. It is **read when the
        resource is built** (at every `materialize`, job run or `build_resources`), not when the code is
        parsed, so the same definitions run with different values in different environments.

        In a deployment the variables are set outside Python; here the notebook sets them itself:
        """,
    ),
    code(
        """
        os.environ["DATABASE_HOST"] = "localhost"
        os.environ["DATABASE_PASSWORD"] = "correct-horse"


        class DatabaseResource(dg.ConfigurableResource):  # the seed's two-field version
            host: str
            password: str


        @dg.asset
        def my_asset(database: DatabaseResource) -> str:
            return f"connected to {database.host}"


        defs = dg.Definitions(
            assets=[my_asset],
            resources={
                "database": DatabaseResource(
                    host=dg.EnvVar("DATABASE_HOST"),
                    password=dg.EnvVar("DATABASE_PASSWORD"),
                )
            },
        )
        defs.resources["database"]
        """
    ),
    md("The resource holds references, not values. Running it reads the variables now:"),
    code('dg.materialize(defs.assets, resources=defs.resources).asset_value("my_asset")'),
    md("Change the variable and run the **same** definitions again: the new value is used."),
    code(
        """
        os.environ["DATABASE_HOST"] = "replica.internal"
        dg.materialize(defs.assets, resources=defs.resources).asset_value("my_asset")
        """
    ),
    md(
        """
        `build_resources` reads them the same way. Inside the block the field holds the real value, but
        the repr still shows only where it came from: a value read from an `EnvVar` is treated as a secret.
        """
    ),
    code(
        """
        with dg.build_resources(defs.resources) as resources:
            print(resources.database)
            print("host:", resources.database.host)
            print("password matches:", resources.database.password == os.environ["DATABASE_PASSWORD"])
        """
    ),
    md("An unset variable fails the build with its name and what to do:"),
    fails(
        """
        del os.environ["DATABASE_PASSWORD"]
        with dg.build_resources(defs.resources) as resources:
            pass
        """
    ),
    code('os.environ["DATABASE_PASSWORD"] = "correct-horse"'),
    section(
        "envvar-int",
        """
        ### Whole numbers: `EnvVar.int`

        Environment variables are text. For an `int` field use `dg.EnvVar.int("NAME")`: the value is
        converted when the resource is built.
        """,
    ),
    code(
        """
        class PooledDatabase(dg.ConfigurableResource):
            host: str
            port: int = 5432
            pool_size: int = 4


        os.environ["DATABASE_PORT"] = "6543"
        pooled = PooledDatabase(host=dg.EnvVar("DATABASE_HOST"), port=dg.EnvVar.int("DATABASE_PORT"))
        with dg.build_resources({"pooled": pooled}) as resources:
            print(resources.pooled.host, resources.pooled.port, type(resources.pooled.port).__name__)
        """
    ),
    fails(
        """
        os.environ["DATABASE_PORT"] = "sixty"
        with dg.build_resources({"pooled": pooled}) as resources:
            pass
        """
    ),
    code('os.environ["DATABASE_PORT"] = "6543"'),
    section(
        "secrets",
        """
        ## Secrets stay secret

        Three kinds of value are never shown, in a repr, a `print`, an error message or the notebook
        extension's displays:

        1. fields declared with `Field(exclude=True)` (shown as `**********`),
        2. fields typed `pydantic.SecretStr` (pydantic masks them itself; call `.get_secret_value()`),
        3. any value that came from an `EnvVar` (shown as the `EnvVar` reference).
        """,
    ),
    code(
        """
        from pydantic import SecretStr


        class TokenClient(dg.ConfigurableResource):
            base_url: str
            token: SecretStr


        client = TokenClient(base_url="http://127.0.0.1", token="s3cr3t-token")
        print(repr(client))
        print(client.token.get_secret_value() == "s3cr3t-token")
        """
    ),
    section(
        "in-the-notebook",
        """
        ## In the notebook: the `resnb` extension

        The IPython extension shows the same information interactively. `%load_defs` takes a module path
        or, as here, a notebook variable; `%resources` lists each resource's configuration and the
        environment variables it reads (names only, never values); `%build_resources` builds a resource
        now and keeps it open, and `-c KEY.FIELD=VALUE` overrides a field for that build.
        (`00_tour.ipynb` walks through the extension end to end.)
        """,
    ),
    code(
        """
        %load_ext resnb
        %load_defs defs
        """
    ),
    code("%resources"),
    code("%build_resources database -c database.host=replica.internal"),
    code("%teardown_resources"),
    section(
        "best-practices",
        """
        ## Best practices

        - Prefer `ConfigurableResource` to the older `@resource` decorator (notebook 06): it gives type
          checking, validation and editor support.
        - Use `EnvVar` for sensitive values like API keys and passwords. Never write credentials in code.
        - One resource per external service or capability: no "god objects" that do everything.
        - Write unit tests for resource classes before using them in assets (notebook 05).
        - Add docstrings and field descriptions.

        Next: `02_resources_in_assets_and_ops.ipynb`. Clean up:
        """,
    ),
    code(
        """
        for name in ("DATABASE_HOST", "DATABASE_PASSWORD", "DATABASE_PORT"):
            os.environ.pop(name, None)
        workdir.cleanup()
        """
    ),
]
