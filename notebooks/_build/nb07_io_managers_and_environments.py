"""Notebook 07: IO managers and per-environment configuration (seed 003 built-in resources, per-environment)."""

from cells import code, fails, md, section

FILENAME = "07_io_managers_and_environments.ipynb"

CELLS = [
    section(
        "title",
        """
        # IO managers and per-environment configuration

        An **IO manager** is a resource that stores what an asset returns and loads it for the assets
        downstream. It lives under the resource key `io_manager`, so it is swapped like any other
        resource. This notebook covers the in-memory and filesystem IO managers, writing your own with
        `ConfigurableIOManager`, and choosing a whole set of resources per environment (dev, prod) from an
        environment variable.

        Everything is written under a temporary directory.
        """,
    ),
    code(
        """
        import json
        import os
        import pickle
        import sys
        import tempfile
        from pathlib import Path

        import resnb as dg

        sys.path.insert(0, os.path.abspath("../examples"))
        workdir = tempfile.TemporaryDirectory()
        root = Path(workdir.name)


        @dg.asset
        def my_asset():
            return {"answer": 42}


        @dg.asset
        def downstream(my_asset):
            return my_asset["answer"] + 1
        """
    ),
    section(
        "in-memory",
        """
        ## The default: values in memory

        Without an `io_manager` resource, `materialize` keeps values in memory for the run (the
        `InMemoryIOManager`), and the result hands them back:
        """,
    ),
    code(
        """
        result = dg.materialize([my_asset, downstream])
        result.asset_value("my_asset"), result.asset_value("downstream")
        """
    ),
    md(
        """
        Those values are gone when the run ends. Running only `downstream` therefore has nothing to load,
        and the error says what to do:
        """
    ),
    fails('dg.materialize([my_asset, downstream], selection="downstream")'),
    md(
        """
        An `InMemoryIOManager` object passed explicitly keeps its values for as long as you keep the object,
        which is handy in a notebook: later runs load what earlier runs stored.
        """
    ),
    code(
        """
        memory = dg.InMemoryIOManager()
        dg.materialize([my_asset, downstream], resources={"io_manager": memory})
        dg.materialize([my_asset, downstream], resources={"io_manager": memory}, selection="downstream").asset_value(
            "downstream"
        )
        """
    ),
    section(
        "filesystem",
        """
        ## Built-in: `FilesystemIOManager`

        `FilesystemIOManager(base_dir=...)` pickles each asset's value to `base_dir/<asset key>`. The seed
        uses `/data/storage`; here it is under the temporary directory:
        """,
    ),
    code(
        """
        storage = root / "data" / "storage"
        defs = dg.Definitions(
            assets=[my_asset, downstream],
            resources={
                "io_manager": dg.FilesystemIOManager(
                    base_dir=str(storage),
                )
            },
        )
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
        sorted(path.name for path in storage.iterdir())
        """
    ),
    code(
        """
        with open(storage / "my_asset", "rb") as stored:
            print(pickle.load(stored))
        """
    ),
    md("The values outlive the run, so `downstream` alone now runs, loading `my_asset` from disk:"),
    code(
        """
        dg.materialize(defs.assets, resources=defs.resources, selection="downstream").asset_value("downstream")
        """
    ),
    section(
        "custom-io-manager",
        """
        ## A custom IO manager: `ConfigurableIOManager`

        Subclass `dg.ConfigurableIOManager`, declare its configuration as fields, and implement
        `handle_output(context, obj)` and `load_input(context)`. The contexts say which asset is being
        stored or loaded. This one writes JSON files, readable by anything:
        """,
    ),
    code(
        """
        class JsonIOManager(dg.ConfigurableIOManager):
            \"\"\"Stores each asset as <base_dir>/<asset key>.json.\"\"\"

            base_dir: str
            indent: int = 2

            def _path(self, asset_key):
                return Path(self.base_dir, *asset_key.path).with_suffix(".json")

            def handle_output(self, context, obj):
                try:
                    text = json.dumps(obj, indent=self.indent)
                except TypeError as error:
                    raise TypeError(
                        f"JsonIOManager cannot store asset '{context.asset_key.to_user_string()}': {error}. "
                        "Return JSON values (dict, list, str, number, bool, None), or give the asset "
                        "another IO manager with io_manager_key."
                    ) from error
                path = self._path(context.asset_key)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)

            def load_input(self, context):
                return json.loads(self._path(context.upstream_output.asset_key).read_text())


        json_dir = root / "json"
        json_io_manager = JsonIOManager(base_dir=str(json_dir))
        result = dg.materialize([my_asset, downstream], resources={"io_manager": json_io_manager})
        print((json_dir / "my_asset.json").read_text())
        result.asset_value("downstream")
        """
    ),
    md(
        """
        A value the IO manager cannot store fails the asset that produced it, with the IO manager's own
        exception. Like resnb's own errors, a good IO manager error names the asset and says what to do
        (here: a set is not JSON):
        """
    ),
    fails(
        """
        @dg.asset
        def tags():
            return {"tea", "coffee"}


        dg.materialize([tags], resources={"io_manager": json_io_manager})
        """
    ),
    md(
        """
        An asset can use another IO manager than the default with `io_manager_key`; the key is a resource
        like any other:
        """
    ),
    code(
        """
        @dg.asset(io_manager_key="json_io")
        def report(downstream):
            return {"downstream": downstream}


        resources = {
            "io_manager": dg.FilesystemIOManager(base_dir=str(storage)),
            "json_io": json_io_manager,
        }
        dg.materialize([my_asset, downstream, report], resources=resources)
        sorted(path.name for path in json_dir.iterdir()), sorted(path.name for path in storage.iterdir())
        """
    ),
    section(
        "per-environment",
        """
        ## Per-environment configuration

        Resources make it possible to run the same assets against different systems in different
        environments. The seed's pattern: a function per environment returning the resources, and a
        switch on an environment variable:
        """,
    ),
    code(
        """
        class DatabaseResource(dg.ConfigurableResource):
            connection_string: str


        def get_dev_resources():
            return {
                "database": DatabaseResource(
                    connection_string="postgresql://localhost:5432/dev"
                )
            }


        def get_prod_resources():
            return {
                "database": DatabaseResource(
                    connection_string=dg.EnvVar("PROD_DATABASE_URL")
                )
            }


        @dg.asset
        def where_am_i(database: DatabaseResource):
            return database.connection_string


        def load_defs():
            # In your Definitions
            IS_PROD = os.getenv("ENV") == "production"

            defs = dg.Definitions(
                assets=[where_am_i],
                resources=get_prod_resources() if IS_PROD else get_dev_resources(),
            )
            return defs
        """
    ),
    md(
        """
        `IS_PROD` is read when the definitions are **loaded** (here: when `load_defs()` is called; in a
        project, when its module is imported), while the `EnvVar` inside the prod resources is read when a
        run **starts**. Dev first:
        """
    ),
    code(
        """
        os.environ.pop("ENV", None)
        defs = load_defs()
        dg.materialize(defs.assets, resources=defs.resources).asset_value("where_am_i")
        """
    ),
    code(
        """
        os.environ["ENV"] = "production"
        os.environ["PROD_DATABASE_URL"] = "postgresql://prod-db:5432/prod"
        defs = load_defs()
        dg.materialize(defs.assets, resources=defs.resources).asset_value("where_am_i")
        """
    ),
    section(
        "shop-environments",
        """
        ## The shop, per environment

        `examples/shop/environments.py` applies the pattern to the shop: `SHOP_ENV` picks `dev` (a SQLite
        file in the temp directory, values in memory) or `prod` (database file and storage directory from
        `SHOP_DB_PATH` and `SHOP_STORAGE_DIR`, values pickled by a `FilesystemIOManager`). The password
        comes from `SHOP_DB_PASSWORD` in both. From a terminal: `cd examples && SHOP_ENV=prod ... python -m shop`.
        """,
    ),
    code(
        """
        from shop.environments import defs_for_environment

        os.environ["SHOP_DB_PASSWORD"] = "example-only"
        os.environ["SHOP_ENV"] = "dev"
        dev_defs = defs_for_environment()
        dev_defs.resources
        """
    ),
    code(
        """
        os.environ["SHOP_ENV"] = "prod"
        os.environ["SHOP_DB_PATH"] = str(root / "prod-shop.sqlite")
        os.environ["SHOP_STORAGE_DIR"] = str(root / "prod-storage")
        prod_defs = defs_for_environment()
        result = prod_defs.resolve_job_def("shop_job").execute_in_process()
        print(result.output_for_node("daily_revenue"))
        sorted(path.name for path in (root / "prod-storage").iterdir())
        """
    ),
    md("A typo in the environment name is caught with a suggestion:"),
    fails(
        """
        os.environ["SHOP_ENV"] = "prdo"
        defs_for_environment()
        """
    ),
    section(
        "cleanup",
        """
        ## Clean up

        That is the last tutorial. Back to the list in `README.md`, or to the tour in `00_tour.ipynb`.
        """,
    ),
    code(
        """
        for name in ("ENV", "PROD_DATABASE_URL", "SHOP_ENV", "SHOP_DB_PASSWORD", "SHOP_DB_PATH", "SHOP_STORAGE_DIR"):
            os.environ.pop(name, None)
        workdir.cleanup()
        """
    ),
]
