"""Notebook 00: the resnb extension end to end on the example shop (DESIGN.md section 3, issue 4)."""

from cells import code, fails, md, section

FILENAME = "00_tour.ipynb"

CELLS = [
    section(
        "title",
        """
        # A tour of resnb

        resnb runs Dagster-style resources, assets and jobs in plain Python, fast enough to explore cell by
        cell. Its IPython extension loads a project's `Definitions`, draws the resource graph, builds
        resources and keeps them open, and materializes assets one cell at a time.

        This tour uses the example shop in `examples/shop`: a SQLite warehouse resource whose password comes
        from the `SHOP_DB_PASSWORD` environment variable, and three assets, `raw_orders` -> `clean_orders` ->
        `daily_revenue`. It runs offline; everything it writes lives in a temporary directory.

        To run every tutorial headless: `resnb run notebooks/`.
        """,
    ),
    md(
        """
        We work on a copy of the shop, so that the tour can edit its code later and reload it.
        """
    ),
    code(
        """
        import os
        import shutil
        import sys
        import tempfile
        from pathlib import Path

        workdir = Path(tempfile.mkdtemp(prefix="resnb-tour-"))
        shutil.copytree("../examples/shop", workdir / "shop", ignore=shutil.ignore_patterns("__pycache__"))
        sys.path.insert(0, str(workdir))
        os.environ["SHOP_DB_PASSWORD"] = "tour-only-password"  # SQLite ignores it; it shows how secrets flow
        """
    ),
    section(
        "load",
        """
        ## Load the definitions

        `%load_ext resnb` registers the magics (`%load_defs?` shows the usage of each). `%load_defs` takes
        `module:attr`, a module, a `.py` file or a notebook variable, and summarises what it found.
        """,
    ),
    code(
        """
        %load_ext resnb
        %load_defs shop.definitions:defs
        """
    ),
    md(
        """
        `%resources` lists each resource: its type, its configuration (the password field is
        `Field(exclude=True)` and comes from an `EnvVar`, so only the variable's *name* is shown), what it
        depends on and which assets use it.
        """
    ),
    code("%resources"),
    section(
        "graph",
        """
        ## The resource graph

        Resources feed assets, assets feed assets. The graph is static SVG (it survives nbconvert and GitHub);
        `--select` takes the selection syntax of `materialize` (`+name`: one hop upstream, `name+`: one hop
        downstream, `*name`: everything upstream) and `--format dot` shows the DOT text.
        """,
    ),
    code("%resource_graph"),
    code("%resource_graph --select +clean_orders --format dot"),
    section(
        "build",
        """
        ## Build a resource and poke at it

        `%build_resources` is `build_resources` for the notebook: the warehouse is set up now and stays open
        across cells until it is torn down. `--config KEY.FIELD=VALUE` overrides fields, typed by the
        resource's pydantic model; `--config-var` takes them from a dict in a notebook variable (here: the
        database file goes into the tour's temporary directory).
        """,
    ),
    code(
        """
        cfg = {"warehouse": {"path": str(workdir / "shop.sqlite")}}
        %build_resources warehouse --config-var cfg --config warehouse.user=analyst -o res
        """
    ),
    code('res.warehouse.query("select sqlite_version()")'),
    md(
        """
        Mistakes are caught before anything is built, with the field named and a suggestion:
        """
    ),
    fails("%build_resources warehouse --config warehouse.usr=analyst"),
    md(
        """
        The same build as a form: `--form` shows widgets generated from the model (a password box for the
        secret, "from $SHOP_DB_PASSWORD" for the env var) and a Build button. Every form has a headless twin,
        so the rest of this cell does what typing and clicking would do.
        """
    ),
    code(
        """
        form = %build_resources warehouse --form
        display(form)
        form.fill("warehouse", path=str(workdir / "shop.sqlite"), user="form-user")
        form.build()
        """
    ),
    md(
        """
        With several fields to set, `%%build_resources` takes them as a cell: TOML tables (`[KEY]`, then
        `FIELD = VALUE` lines) or JSON below the magic line. The flags still apply, and `--config` wins
        over the cell.
        """
    ),
    code(
        """
        %%build_resources warehouse --config-var cfg
        [warehouse]
        user = "cell-user"
        """
    ),
    section(
        "materialize",
        """
        ## Materialize cell by cell

        `%materialize` runs assets with the session's resources (the open warehouse is reused, not set up
        again) and shows per-asset progress. With one asset named it returns the value.
        """,
    ),
    code("%materialize raw_orders"),
    md(
        """
        `clean_orders` needs `raw_orders`: its value from the previous cell is reused, not recomputed.
        """
    ),
    code("%materialize clean_orders"),
    code("%materialize daily_revenue -o revenue"),
    code("%asset_value clean_orders"),
    md("A typo fails the cell, with a suggestion:"),
    fails("%materialize daily_revenu"),
    section(
        "reload",
        """
        ## Change the code, reload, see what is stale

        Suppose the clean step should also drop single items. We edit the module on disk, as an editor would;
        `%reload_defs` re-imports it and reports what changed. The warehouse did not change, so it stays open.
        """,
    ),
    code(
        """
        module = workdir / "shop" / "definitions.py"
        module.write_text(module.read_text().replace("where qty > 0", "where qty > 1"));
        """
    ),
    code("%reload_defs"),
    code("%resnb_status"),
    md(
        """
        `clean_orders` is stale because its code changed. Materializing `daily_revenue` with `--upstream`
        recomputes what it depends on, and the graph shows the state of every node.
        """
    ),
    code("%materialize daily_revenue --upstream"),
    code("%resource_graph"),
    section(
        "teardown",
        """
        ## Tear down

        `%teardown_resources` closes what is open, exactly once; `%unload_ext resnb` and the end of the kernel
        do the same for anything left. Next: the tutorials `01_resources_and_config.ipynb` to
        `07_io_managers_and_environments.ipynb` teach each part of the resource system.
        """,
    ),
    code("%teardown_resources"),
    md(
        """
        Every magic is also a subcommand of `%resnb` (`%resnb graph`, `%resnb materialize ...`), for those
        who prefer one name to remember; `%resnb help` lists them. Project defaults for the settings
        (`%config Resnb...`) go in `[tool.resnb]` of `pyproject.toml`.
        """
    ),
    code("%resnb help"),
    code(
        """
        %unload_ext resnb
        sys.path.remove(str(workdir))
        shutil.rmtree(workdir)
        """
    ),
]
