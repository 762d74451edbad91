"""The ``supplymind`` command line: a thin shell over the library's public functions."""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from supplymind import __version__
from supplymind.exceptions import SupplyMindError

__all__ = ["app", "main"]

app = typer.Typer(
    name="supplymind",
    help="SupplyMind: supply-chain data to decisions (forecasts, stock plans, routes, alerts).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Inspect and manage the warehouse.", no_args_is_help=True)
datasets_app = typer.Typer(help="The public benchmark datasets.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(datasets_app, name="datasets")

console = Console()
err_console = Console(stderr=True)
log = logging.getLogger("supplymind")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Warehouse URL or DuckDB file; default from SUPPLYMIND_HOME / "
        "SUPPLYMIND_DATABASE_URL.",
    ),
]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


def _warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    """A warning as one line for the user: its kind and text, not the source line."""
    return f"{category.__name__}: {message}\n"


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug messages.")] = False,
) -> None:
    """Configure logging and how warnings read, once, here in the entry point."""
    warnings.formatwarning = _warning_line
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
        force=True,
    )


@app.command()
def version() -> None:
    """Print the installed version."""
    console.print(__version__)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("demo_out"),
    seed: Annotated[int, typer.Option(help="Seed of the sample company.")] = 0,
    small: Annotated[bool, typer.Option("--small", help="A small company (fast).")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="Then open it in the dashboard.")] = False,
    finetune_steps: Annotated[
        int | None,
        typer.Option(
            "--finetune-steps",
            help="Most fine-tuning steps of the forecast (default 100; 10 small).",
        ),
    ] = None,
) -> None:
    """Run the whole job on the embedded (synthetic) sample company and write a report."""
    from supplymind.data.sample import SampleCompanyConfig
    from supplymind.demo import DEMO_STEPS, run_demo

    config = SampleCompanyConfig.small(seed) if small else SampleCompanyConfig(seed=seed)
    with _progress() as progress:
        task = progress.add_task("demo", total=DEMO_STEPS)
        first = True

        def on_step(description: str) -> None:
            nonlocal first
            if not first:
                progress.advance(task)
            first = False
            progress.update(task, description=description)

        steps = finetune_steps if finetune_steps is not None else (10 if small else 100)
        result = run_demo(
            out,
            config=config,
            on_step=on_step,
            finetune_steps=steps,
            feedback_steps=min(30, steps),
        )
        progress.update(task, completed=DEMO_STEPS, description="done")
    table = Table("table", "rows", title="Warehouse")
    for name, rows in result.row_counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"warehouse: {result.warehouse}")
    console.print(f"report:    {result.report}")
    if serve:
        from supplymind.service.cli import serve_demo

        serve_demo(out)


def _parse_renames(values: list[str] | None) -> dict[str, str]:
    mapping = {}
    for value in values or []:
        old, sep, new = value.partition("=")
        if not sep or not old or not new:
            raise typer.BadParameter(f"expected OLD=NEW, found {value!r}", param_hint="--rename")
        mapping[old] = new
    return mapping


@app.command()
def ingest(
    table: Annotated[
        str,
        typer.Argument(
            help="Table to load: items, locations, demand, "
            "inventory, purchase_orders, delivery_orders, "
            "feedback."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file.")],
    db: DbOption = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="Column holding item_id.")] = None,
    time_col: Annotated[
        str | None, typer.Option("--time-col", help="Column holding timestamp.")
    ] = None,
    target_col: Annotated[
        str | None, typer.Option("--target-col", help="Column holding target.")
    ] = None,
    rename: Annotated[
        list[str] | None, typer.Option("--rename", help="Map a column: OLD=NEW.")
    ] = None,
    time_format: Annotated[
        str | None,
        typer.Option("--time-format", help="strftime format of timestamps (default ISO 8601)."),
    ] = None,
    sep: Annotated[str | None, typer.Option("--sep", help="CSV delimiter.")] = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of a CSV file (e.g. gb18030).")
    ] = "utf-8",
    check_keys: Annotated[
        bool,
        typer.Option(
            "--check-keys/--no-check-keys",
            help="Check that referenced items/locations exist in the warehouse.",
        ),
    ] = True,
) -> None:
    """Validate FILE and load it into TABLE (upsert by key; nothing written on any error)."""
    from supplymind.data.ingest import column_mapping, ingest_file
    from supplymind.data.schema import get_table
    from supplymind.data.warehouse import Warehouse

    get_table(table)
    mapping = column_mapping(
        id_col=id_col, time_col=time_col, target_col=target_col, rename=_parse_renames(rename)
    )
    with Warehouse(db) as wh, err_console.status(f"ingesting {file} into {table}"):
        result = ingest_file(
            wh,
            table,
            file,
            mapping=mapping,
            check_foreign_keys=check_keys,
            time_format=time_format,
            sep=sep,
            encoding=encoding,
        )
    console.print(
        f"{result.table}: {result.rows:,} rows read, {result.inserted:,} inserted, "
        f"{result.updated:,} updated"
    )
    if result.redacted:
        console.print(f"personal data redacted in {result.redacted:,} cells before storing")
    if result.extra_columns:
        console.print(f"covariates kept: {', '.join(result.extra_columns)}")
    if result.ignored_columns:
        console.print(
            f"[yellow]columns ignored (not in the '{table}' schema): "
            f"{', '.join(result.ignored_columns)}[/yellow]"
        )


@db_app.command("info")
def db_info(db: DbOption = None) -> None:
    """Show the tables, their row counts and date ranges."""
    from supplymind.data.warehouse import Warehouse

    with Warehouse(db) as wh:
        infos = wh.info()
        url = wh.url
    table = Table("table", "rows", "time column", "first", "last", title=url)
    for info in infos:
        first = "" if info.first is None or info.first != info.first else f"{info.first}"
        last = "" if info.last is None or info.last != info.last else f"{info.last}"
        table.add_row(info.name, f"{info.rows:,}", info.time_column or "", first, last)
    console.print(table)


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """Create the warehouse and its tables (idempotent)."""
    from supplymind.data.warehouse import Warehouse

    with Warehouse(db) as wh:
        console.print(f"warehouse ready: {wh.url}")


@db_app.command("export")
def db_export(
    table: Annotated[str, typer.Argument(help="Table to export.")],
    file: Annotated[Path, typer.Argument(help="Output .csv or .parquet file.")],
    db: DbOption = None,
) -> None:
    """Write a table to CSV or Parquet (atomically)."""
    from supplymind.data.warehouse import Warehouse
    from supplymind.files import atomic_path

    suffix = file.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise typer.BadParameter(
            f"expected a .csv or .parquet file, found {file.name!r}", param_hint="FILE"
        )
    with Warehouse(db) as wh:
        frame = wh.read(table)
    with atomic_path(file) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
    console.print(f"{table}: {len(frame):,} rows written to {file}")


@app.command()
def schema(
    table: Annotated[str | None, typer.Argument(help="One table (default: all).")] = None,
) -> None:
    """Describe the tables of the unified data model and their columns."""
    from supplymind.data.schema import TABLES, get_table

    for spec in [get_table(table)] if table else list(TABLES.values()):
        out = Table(
            "column",
            "type",
            "required",
            "rule",
            "description",
            title=f"{spec.name}: {spec.description} key: ({', '.join(spec.key)})",
            title_justify="left",
        )
        for col in spec.columns:
            rules = []
            if col.minimum is not None:
                rules.append(f">= {col.minimum:g}")
            if col.maximum is not None:
                rules.append(f"<= {col.maximum:g}")
            if col.choices:
                rules.append("|".join(col.choices))
            if col.nullable:
                rules.append("may be empty")
            out.add_row(
                col.name,
                col.kind,
                "yes" if col.required else "no",
                ", ".join(rules),
                col.description,
            )
        console.print(out)


@app.command()
def sample(
    out: Annotated[Path, typer.Argument(help="Folder for one CSV per table.")],
    seed: Annotated[int, typer.Option(help="Seed of the sample company.")] = 0,
    small: Annotated[bool, typer.Option("--small", help="A small company (fast).")] = False,
) -> None:
    """Write the synthetic sample company as CSV files (ready for `supplymind ingest`)."""
    from supplymind.data.sample import SampleCompanyConfig, generate_sample_company
    from supplymind.files import atomic_path

    config = SampleCompanyConfig.small(seed) if small else SampleCompanyConfig(seed=seed)
    with err_console.status("generating"):
        tables = generate_sample_company(config)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        with atomic_path(out / f"{name}.csv") as tmp:
            frame.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        console.print(f"{name}: {len(frame):,} rows -> {out / f'{name}.csv'}")


@app.command()
def pretrain(
    config: Annotated[Path, typer.Option("--config", help="Pretraining settings (TOML).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for checkpoints, logs, model.")],
    resume: Annotated[
        bool,
        typer.Option("--resume/--no-resume", help="Continue from the newest checkpoint in --out."),
    ] = True,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Public data folder for the real part of the corpus."),
    ] = None,
) -> None:
    """Self-supervised pretraining of a time-series backbone (resumable)."""
    from supplymind.training.pretrain import load_pretrain_config
    from supplymind.training.pretrain import pretrain as run_pretrain

    settings = load_pretrain_config(config)
    with _progress() as progress:
        task = progress.add_task("building the corpus", total=settings.steps)

        def on_progress(step: int, total: int, loss: float) -> None:
            progress.update(task, completed=step, description=f"pretraining loss {loss:.4f}")

        result = run_pretrain(
            settings, out, data_dir=data_dir, resume=resume, on_progress=on_progress
        )
    console.print(
        f"model: {result.model_dir} ({result.parameters:,} parameters, "
        f"{result.corpus_series:,} corpus series); final loss {result.final_loss:.4f}"
    )


@datasets_app.command("list")
def datasets_list() -> None:
    """List the public datasets SupplyMind can load."""
    from supplymind.data.datasets import list_datasets

    for name in list_datasets():
        console.print(name)


@datasets_app.command("show")
def datasets_show(
    name: Annotated[str, typer.Argument(help="Dataset name (see `datasets list`).")],
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Folder of the public data (default SUPPLYMIND_DATA_DIR)."),
    ] = None,
) -> None:
    """Load one dataset and describe it (series, frequency, horizon, split)."""
    from supplymind.data.datasets import load_dataset

    with err_console.status(f"loading {name}"):
        ds = load_dataset(name, data_dir=data_dir)
    table = Table("property", "value", title=name)
    table.add_row("series", f"{ds.train['item_id'].nunique():,}")
    table.add_row("train rows", f"{len(ds.train):,}")
    table.add_row("test rows", f"{0 if ds.test is None else len(ds.test):,}")
    table.add_row("frequency", ds.freq)
    table.add_row("season length", str(ds.season_length))
    table.add_row("horizon", str(ds.horizon))
    extra = [c for c in ds.train.columns if c not in ("item_id", "timestamp", "target")]
    table.add_row("covariates", ", ".join(extra) or "-")
    console.print(table)


@app.command()
def route(
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Route the warehouse's planned delivery orders.")
    ] = False,
    orders: Annotated[
        Path | None,
        typer.Option("--orders", help="Orders CSV/Parquet: delivery_orders columns (+ lat/lon)."),
    ] = None,
    vehicles: Annotated[
        Path | None,
        typer.Option("--vehicles", help="Vehicles CSV/Parquet (see README); else a default."),
    ] = None,
    instance: Annotated[
        Path | None, typer.Option("--instance", help="A VRPLIB .vrp or Solomon .txt instance.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Routes JSON; stops CSV and map PNG go next to it.")
    ] = Path("routes.json"),
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the search.")] = 0,
    max_iterations: Annotated[
        int | None,
        typer.Option("--max-iterations", help="Also stop after N iterations (reproducible)."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Day to route with --from-db (default: first planned day)."),
    ] = None,
    locations: Annotated[
        Path | None,
        typer.Option("--locations", help="Locations CSV/Parquet for location_id coordinates."),
    ] = None,
    matrix: Annotated[
        Path | None,
        typer.Option("--matrix", help="Travel matrix file: from_id,to_id,distance_km[,..]."),
    ] = None,
    road_factor: Annotated[
        float, typer.Option("--road-factor", help="Road km per straight-line km.")
    ] = 1.3,
    speed: Annotated[float, typer.Option("--speed", help="Average speed in km/h.")] = 30.0,
    plot: Annotated[
        bool, typer.Option("--plot/--no-plot", help="Write the route map PNG next to the JSON.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Plan delivery routes with PyVRP: warehouse orders, order files or a standard instance."""
    from rich.progress import Progress as RichProgress

    from supplymind.data.warehouse import Warehouse
    from supplymind.routing.build import problem_from_files, problem_from_warehouse
    from supplymind.routing.feasibility import check_feasible
    from supplymind.routing.instances import read_instance
    from supplymind.routing.output import kpi_table, write_plan
    from supplymind.routing.solve import solve
    from supplymind.routing.travel import TravelSettings

    chosen = [
        name
        for name, given in (
            ("--from-db", from_db),
            ("--orders", orders is not None),
            ("--instance", instance is not None),
        )
        if given
    ]
    if len(chosen) != 1:
        raise typer.BadParameter(
            f"expected exactly one of --from-db, --orders, --instance; found {chosen or 'none'}",
            param_hint="--from-db/--orders/--instance",
        )
    travel = TravelSettings(road_factor=road_factor, speed_kmh=speed)
    if instance is not None:
        problem = read_instance(instance)
    elif orders is not None:
        if db is None:
            problem = problem_from_files(
                orders, vehicles=vehicles, locations=locations, travel=travel, matrix=matrix
            )
        else:
            with Warehouse(db) as wh:
                problem = problem_from_files(
                    orders,
                    vehicles=vehicles,
                    locations=locations,
                    warehouse=wh,
                    travel=travel,
                    matrix=matrix,
                )
    else:
        with Warehouse(db) as wh:
            problem = problem_from_warehouse(
                wh, date=date, vehicles=vehicles, travel=travel, matrix=matrix
            )
    check_feasible(problem)
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task(f"routing {len(problem.orders)} orders", total=time_limit)

        def on_progress(elapsed: float, cost: float | None) -> None:
            best = "no feasible plan yet" if cost is None else f"best cost {cost:,.2f}"
            progress.update(task, completed=min(elapsed, time_limit), description=best)

        plan = solve(
            problem,
            time_limit=time_limit,
            seed=seed,
            max_iterations=max_iterations,
            on_progress=on_progress,
        )
        progress.update(task, completed=time_limit)
    files = write_plan(plan, out)
    if plot:
        from supplymind.routing.plot import plot_routes

        files.append(plot_routes(plan, out.with_suffix(".png")))
    table = Table("kpi", "value", title=problem.name)
    for row in kpi_table(plan).itertuples(index=False):
        table.add_row(str(row.kpi), str(row.value))
    console.print(table)
    for note in problem.notes:
        console.print(f"note: {note}", highlight=False)
    for violation in plan.violations:
        console.print(f"[yellow]not met: {escape(violation)}[/yellow]")
    console.print("written: " + ", ".join(str(f) for f in files))


# --- inventory: supplymind plan, supplymind inventory backtest ------------------------------


inventory_app = typer.Typer(
    help="Inventory policies: backtests on held-out demand.", no_args_is_help=True
)
app.add_typer(inventory_app, name="inventory")


def _register_task_apps() -> None:
    """Sub-commands of the task packages, each a typer app of its own."""
    from supplymind.feedback.cli import feedback_app
    from supplymind.lifecycle.cli import models_app, retrain_command
    from supplymind.risk.cli import risk_app

    app.add_typer(risk_app, name="risk")
    app.add_typer(feedback_app, name="feedback")
    app.add_typer(models_app, name="models")
    app.command("retrain")(retrain_command)
    from supplymind.service.cli import run_command, serve_command

    app.command("run")(run_command)
    app.command("serve")(serve_command)


_register_task_apps()

_HistoryOpt = Annotated[
    Path, typer.Option("--history", help="Demand history CSV/Parquet: item_id, timestamp, target.")
]
_ForecastOpt = Annotated[
    Path | None,
    typer.Option(
        "--forecast",
        help='Quantile forecast: item_id, timestamp, mean, "0.1", ..., "0.9" (as the Forecaster).',
    ),
]
_LeadTimeOpt = Annotated[
    str,
    typer.Option(
        "--lead-time", help="Lead time in periods, or a distribution such as '2:0.3,3:0.7'."
    ),
]
_PurchaseOrdersOpt = Annotated[
    Path | None,
    typer.Option(
        "--purchase-orders",
        help="purchase_orders file: lead-time distributions per item-location from its history.",
    ),
]
_ReviewOpt = Annotated[int, typer.Option("--review-period", help="Periods between reviews.")]
_ServiceOpt = Annotated[
    float | None, typer.Option("--service-level", help="Service target in (0, 1), e.g. 0.95.")
]
_ServiceTypeOpt = Annotated[
    str, typer.Option("--service-type", help="fill-rate (units) or cycle (no stock-out).")
]
_ServiceScopeOpt = Annotated[
    str,
    typer.Option(
        "--service-scope",
        help="item: every item meets the fill rate; portfolio: the fill rate pooled over all "
        "items, with the least total stock.",
    ),
]
_HoldingOpt = Annotated[
    float | None, typer.Option("--holding-cost", help="Cost per unit on hand per period.")
]
_ShortageOpt = Annotated[
    float | None,
    typer.Option(
        "--shortage-cost",
        help="Cost per unit backordered per period (or per unit lost with --shortage lost-sales).",
    ),
]
_OrderCostOpt = Annotated[float, typer.Option("--order-cost", help="Fixed cost per order.")]
_ShortageKindOpt = Annotated[str, typer.Option("--shortage", help="backorder or lost-sales.")]
_MoqOpt = Annotated[float, typer.Option("--moq", help="Minimum order quantity (units).")]
_PackOpt = Annotated[float, typer.Option("--pack-size", help="Orders are multiples of this.")]
_CapacityOpt = Annotated[float | None, typer.Option("--capacity", help="Most units per order.")]
_PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="auto, base-stock, s-S, r-Q or newsvendor (auto: base-stock without an order "
        "cost, else r-Q for a review period of 1, s-S otherwise).",
    ),
]
_MethodOpt = Annotated[
    str | None,
    typer.Option(
        "--method",
        help="Demand model: auto, backbone (the SupplyMind Forecaster, fine-tuned and "
        "guarded), empirical, ets, forecast, global (one LightGBM model across all items, "
        "negative-binomial demand), normal, normal_ets "
        "(default: forecast with --forecast, else auto).",
    ),
]
_IdColOpt = Annotated[str | None, typer.Option("--id-col", help="Column holding item_id.")]
_TimeColOpt = Annotated[str | None, typer.Option("--time-col", help="Column holding timestamp.")]
_TargetColOpt = Annotated[str | None, typer.Option("--target-col", help="Column holding target.")]
_SepOpt = Annotated[str | None, typer.Option("--sep", help="CSV delimiter.")]
_EncodingOpt = Annotated[
    str, typer.Option("--encoding", help="Text encoding of CSV files (e.g. gb18030, cp1252).")
]
_SamplesOpt = Annotated[int, typer.Option("--samples", help="Sample paths per series.")]
_SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of every random draw.")]
_RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray",
        help="Run on Ray: local (start a cluster here), auto (the cluster of `ray start`) "
        "or a cluster address. Needs the ray package (docs/ray.md).",
    ),
]
_WorkersOpt = Annotated[
    int | None, typer.Option("--num-workers", help="Ray workers (default: the cluster's CPUs).")
]
_RhoOpt = Annotated[
    float,
    typer.Option(
        "--quantile-correlation",
        help="Correlation of forecast periods when sampling from quantiles (0: independent).",
    ),
]


@app.command()
def forecast(
    out: Annotated[Path, typer.Option("--out", "-o", help="Forecast CSV (or .parquet) to write.")],
    horizon: Annotated[int, typer.Option("--horizon", help="Periods to forecast.")],
    history: Annotated[
        Path | None,
        typer.Option("--history", help="Demand history CSV/Parquet: item_id, timestamp, target."),
    ] = None,
    from_db: Annotated[
        bool, typer.Option("--from-db", help="Forecast the warehouse's demand table instead.")
    ] = False,
    db: DbOption = None,
    freq: Annotated[
        str | None, typer.Option("--freq", help="Pandas frequency (D, W-MON, MS...); inferred.")
    ] = None,
    quantiles: Annotated[
        str | None,
        typer.Option("--quantiles", help="Comma-separated levels (default 0.1,0.2,...,0.9)."),
    ] = None,
    finetune: Annotated[
        str,
        typer.Option(
            "--finetune",
            help="auto (backtest and adopt the best), none (zero-shot), full, head, lora or ia3.",
        ),
    ] = "auto",
    backbone: Annotated[
        str, typer.Option("--backbone", help="Registered backbone name or checkpoint folder.")
    ] = "supplymind-ts-small",
    id_col: _IdColOpt = None,
    time_col: _TimeColOpt = None,
    target_col: _TargetColOpt = None,
    covariates: Annotated[
        str | None,
        typer.Option("--covariates", help="Known-future covariate columns, comma-separated."),
    ] = None,
    static: Annotated[
        str | None, typer.Option("--static", help="Static covariate columns, comma-separated.")
    ] = None,
    future: Annotated[
        Path | None,
        typer.Option("--future", help="Future values of the known covariates over the horizon."),
    ] = None,
    model_dir: Annotated[
        Path | None,
        typer.Option(
            "--model-dir",
            help="Save the fitted model here; if it already holds one, reload it and only predict.",
        ),
    ] = None,
    n_windows: Annotated[
        int, typer.Option("--n-windows", help="Validation windows per series.")
    ] = 2,
    n_jobs: Annotated[int, typer.Option("--n-jobs", help="Processes for statistical models.")] = 1,
    seed: _SeedOpt = 0,
    sep: _SepOpt = None,
    encoding: _EncodingOpt = "utf-8",
    ray: _RayOpt = None,
    num_workers: _WorkersOpt = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="With --ray or a folder --history: forecast every series with this model "
            "(zero_shot, finetuned or a statistical model) instead of the adopted one.",
        ),
    ] = None,
    series_per_partition: Annotated[
        int,
        typer.Option(
            "--series-per-partition", help="Series per partition when cutting one file for --ray."
        ),
    ] = 10_000,
) -> None:
    """Forecast demand quantiles with the pretrained backbone, fine-tuned and guarded.

    With --ray, or when --history is a folder of Parquet/CSV partitions (each series in one
    file), --out is a folder of Parquet partitions and the model is the one saved in
    --model-dir, or zero-shot with --finetune none.
    """
    from supplymind.forecasting.commands import parse_quantiles, run_forecast

    if ray is not None or (history is not None and history.is_dir()):
        from supplymind.scale.commands import run_batch_forecast

        with err_console.status("forecasting partitions"):
            report = run_batch_forecast(
                out,
                horizon,
                history=history,
                from_db=from_db,
                db=db,
                ray=ray,
                num_workers=num_workers,
                model_dir=model_dir,
                finetune=finetune,
                backbone=backbone,
                model=model,
                freq=freq,
                quantiles=parse_quantiles(quantiles),
                id_col=id_col,
                time_col=time_col,
                target_col=target_col,
                sep=sep,
                series_per_partition=series_per_partition,
            )
        summary = report.summary()
        table = Table("", "value", title="Batch forecast")
        table.add_row("series", f"{report.series:,}")
        table.add_row("partitions", str(summary["partitions"]))
        table.add_row("workers", f"{report.workers} ({ray or 'in process'})")
        table.add_row("series/s", f"{report.series_per_second:,.1f}")
        table.add_row("peak memory per worker", f"{summary['max_peak_rss_mb']:,.0f} MiB")
        console.print(table)
        console.print(f"written: {report.out_dir}")
        return
    if model is not None:
        raise typer.BadParameter("--model applies to partitioned runs (--ray or a folder)")
    with err_console.status("fitting and forecasting"):
        result = run_forecast(
            out,
            horizon,
            history=history,
            from_db=from_db,
            db=db,
            freq=freq,
            quantiles=parse_quantiles(quantiles),
            finetune=finetune,
            backbone=backbone,
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
            sep=sep,
            encoding=encoding,
            covariates=covariates,
            static=static,
            future=future,
            model_dir=model_dir,
            n_windows=n_windows,
            n_jobs=n_jobs,
            seed=seed,
        )
    f = result.forecaster
    table = Table("", "value", title="Forecast")
    table.add_row("series", f"{result.forecast['item_id'].nunique():,}")
    table.add_row("horizon", str(horizon))
    table.add_row(
        "model", "reloaded from " + str(model_dir) if result.reloaded else str(f.finetune_)
    )
    for segment, choice in sorted(f.selection_.items()):
        table.add_row(f"adopted ({segment})", choice)
    if f.finetune_result_:
        ft = f.finetune_result_
        judged = math.isfinite(ft["initial_val_loss"])
        table.add_row(
            "fine-tuning",
            f"{ft['mode']}: validation loss {ft['initial_val_loss']:.4f} -> "
            f"{ft['best_val_loss']:.4f} (best step {ft['best_step']})"
            if judged
            else f"{ft['mode']}: {ft['best_step']} steps, no validation window to judge them",
        )
    if f.backtest_ is not None and not result.reloaded:
        best = f.backtest_[f.backtest_["segment"] == "all"].sort_values("wql").head(5)
        for row in best.itertuples():
            table.add_row(f"backtest WQL {row.model}", f"{row.wql:.4f}")
    console.print(table)
    console.print(f"written: {result.out}")


@app.command("finetune")
def finetune_command(
    history: _HistoryOpt,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", help="Folder to save the fine-tuned model in.")
    ],
    mode: Annotated[str, typer.Option("--mode", help="full, head, lora or ia3.")] = "full",
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Periods of the validation windows.")
    ] = None,
    backbone: Annotated[
        str, typer.Option("--backbone", help="Registered backbone name or checkpoint folder.")
    ] = "supplymind-ts-small",
    config: Annotated[
        Path | None, typer.Option("--config", help="Fine-tuning settings (TOML).")
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Optimiser steps at most.")
    ] = None,
    ray: _RayOpt = None,
    num_workers: Annotated[
        int, typer.Option("--num-workers", help="Ray Train workers (data-parallel).")
    ] = 2,
    freq: Annotated[
        str | None, typer.Option("--freq", help="Pandas frequency (D, W-MON, MS...); inferred.")
    ] = None,
    covariates: Annotated[
        str | None,
        typer.Option("--covariates", help="Known-future covariate columns, comma-separated."),
    ] = None,
    static: Annotated[
        str | None, typer.Option("--static", help="Static covariate columns, comma-separated.")
    ] = None,
    id_col: _IdColOpt = None,
    time_col: _TimeColOpt = None,
    target_col: _TargetColOpt = None,
    n_windows: Annotated[
        int, typer.Option("--n-windows", help="Validation windows per series.")
    ] = 2,
    seed: _SeedOpt = 0,
    sep: _SepOpt = None,
) -> None:
    """Fine-tune a backbone on a demand history and save the model (for --model-dir).

    Checkpoints go to MODEL_DIR/checkpoints; running again resumes. With --ray the engine
    runs data-parallel on Ray Train workers.
    """
    from supplymind.scale.commands import run_finetune

    def names(text: str | None) -> tuple[str, ...]:
        return tuple(p.strip() for p in (text or "").split(",") if p.strip())

    with err_console.status("fine-tuning"):
        f = run_finetune(
            model_dir,
            history,
            mode=mode,
            horizon=horizon,
            backbone=backbone,
            config=config,
            max_steps=max_steps,
            ray=ray,
            num_workers=num_workers,
            freq=freq,
            covariates=names(covariates),
            static=names(static),
            id_col=id_col,
            time_col=time_col,
            target_col=target_col,
            sep=sep,
            n_windows=n_windows,
            seed=seed,
        )
    table = Table("", "value", title="Fine-tuning")
    if f.finetune_result_:
        ft = f.finetune_result_
        table.add_row(
            "validation loss",
            f"{ft['initial_val_loss']:.4f} -> {ft['best_val_loss']:.4f} "
            f"(best step {ft['best_step']} of {ft['steps']})",
        )
    for segment, choice in sorted(f.selection_.items()):
        table.add_row(f"adopted ({segment})", choice)
    table.add_row("workers", f"{num_workers} on Ray ({ray})" if ray else "1 (in process)")
    console.print(table)
    console.print(f"saved: {model_dir}")


@app.command()
def plan(
    history: _HistoryOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Recommendations CSV to write.")],
    forecast: _ForecastOpt = None,
    lead_time: _LeadTimeOpt = "1",
    purchase_orders: _PurchaseOrdersOpt = None,
    review_period: _ReviewOpt = 1,
    service_level: _ServiceOpt = None,
    service_type: _ServiceTypeOpt = "fill-rate",
    service_scope: _ServiceScopeOpt = "item",
    holding_cost: _HoldingOpt = None,
    shortage_cost: _ShortageOpt = None,
    order_cost: _OrderCostOpt = 0.0,
    shortage: _ShortageKindOpt = "backorder",
    moq: _MoqOpt = 0.0,
    pack_size: _PackOpt = 1.0,
    capacity: _CapacityOpt = None,
    policy: _PolicyOpt = "auto",
    method: _MethodOpt = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory",
            help="Current stock (item_id, on_hand[, on_order, backorders, location_id]) "
            "for an order-now column.",
        ),
    ] = None,
    id_col: _IdColOpt = None,
    time_col: _TimeColOpt = None,
    target_col: _TargetColOpt = None,
    sep: _SepOpt = None,
    samples: _SamplesOpt = 2000,
    seed: _SeedOpt = 0,
    quantile_correlation: _RhoOpt = 0.0,
) -> None:
    """Recommend reorder points, order-up-to levels and order quantities per item."""
    from supplymind.inventory.commands import PlanOptions, run_plan

    options = PlanOptions.from_options(
        lead_time=lead_time,
        purchase_orders=purchase_orders,
        review_period=review_period,
        service_level=service_level,
        service_type=service_type,
        service_scope=service_scope,
        holding_cost=holding_cost,
        shortage_cost=shortage_cost,
        order_cost=order_cost,
        shortage=shortage,
        moq=moq,
        pack_size=pack_size,
        capacity=capacity,
        policy=policy,
        method=method,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        sep=sep,
        samples=samples,
        seed=seed,
        rho=quantile_correlation,
    )
    with _progress() as progress:
        task = progress.add_task("fitting demand models", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_plan(
            history,
            out,
            options,
            forecast_path=forecast,
            inventory_path=inventory,
            on_progress=on_progress,
        )
    table = result.table
    summary = Table("", "value", title="Plan")
    summary.add_row("item-locations", f"{len(table):,}")
    summary.add_row("policy", ", ".join(sorted(table["policy"].unique())))
    summary.add_row("target", str(table["target"].iloc[0]))
    summary.add_row("demand models", ", ".join(sorted(table["demand_model"].unique()))[:120])
    summary.add_row("safety stock (sum)", f"{table['safety_stock'].sum():,.1f}")
    if "order_now" in table.columns:
        summary.add_row("orders now", f"{int((table['order_now'] > 0).sum()):,}")
    console.print(summary)
    console.print(f"written: {out}")


@inventory_app.command("backtest")
def inventory_backtest(
    history: _HistoryOpt,
    test: Annotated[
        Path, typer.Option("--test", help="Held-out demand after the history, same columns.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON report to write.")],
    forecast: _ForecastOpt = None,
    lead_time: _LeadTimeOpt = "1",
    purchase_orders: _PurchaseOrdersOpt = None,
    review_period: _ReviewOpt = 1,
    service_level: _ServiceOpt = None,
    service_type: _ServiceTypeOpt = "fill-rate",
    service_scope: _ServiceScopeOpt = "item",
    holding_cost: _HoldingOpt = None,
    shortage_cost: _ShortageOpt = None,
    order_cost: _OrderCostOpt = 0.0,
    shortage: _ShortageKindOpt = "backorder",
    moq: _MoqOpt = 0.0,
    pack_size: _PackOpt = 1.0,
    capacity: _CapacityOpt = None,
    policy: _PolicyOpt = "auto",
    method: _MethodOpt = None,
    replan_every: Annotated[
        int | None,
        typer.Option(
            "--replan-every",
            help="Periods between re-plans on the demand seen so far (default: the review "
            "period; 0: hold the first plan).",
        ),
    ] = None,
    warmup: Annotated[
        int | None,
        typer.Option("--warmup", help="History periods simulated before the test (unmeasured)."),
    ] = None,
    plots: Annotated[
        Path | None,
        typer.Option(
            "--plots", help="Folder for trajectory.png and frontier.png (adds a target sweep)."
        ),
    ] = None,
    id_col: _IdColOpt = None,
    time_col: _TimeColOpt = None,
    target_col: _TargetColOpt = None,
    sep: _SepOpt = None,
    samples: _SamplesOpt = 2000,
    seed: _SeedOpt = 0,
    quantile_correlation: _RhoOpt = 0.0,
) -> None:
    """Simulate the plan on held-out demand: costs, fill rate, service, stock, turns, orders."""
    from supplymind.inventory.commands import PlanOptions, run_backtest

    options = PlanOptions.from_options(
        lead_time=lead_time,
        purchase_orders=purchase_orders,
        review_period=review_period,
        service_level=service_level,
        service_type=service_type,
        service_scope=service_scope,
        holding_cost=holding_cost,
        shortage_cost=shortage_cost,
        order_cost=order_cost,
        shortage=shortage,
        moq=moq,
        pack_size=pack_size,
        capacity=capacity,
        policy=policy,
        method=method,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        sep=sep,
        samples=samples,
        seed=seed,
        rho=quantile_correlation,
    )
    with _progress() as progress:
        task = progress.add_task("fitting demand models", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result, figures = run_backtest(
            history,
            test,
            out,
            options,
            forecast_path=forecast,
            plot_dir=plots,
            replan_every=replan_every,
            warmup=warmup,
            on_progress=on_progress,
        )
    totals = result.simulation.totals
    table = Table("metric", "total", title=f"Backtest ({result.method})")
    for key in (
        "fill_rate",
        "cycle_service_level",
        "average_on_hand",
        "inventory_turns",
        "n_orders",
        "holding_cost",
        "shortage_cost",
        "ordering_cost",
        "total_cost",
    ):
        value = totals[key]
        table.add_row(key, f"{value:.4f}" if key.endswith(("rate", "level")) else f"{value:,.2f}")
    console.print(table)
    for note in result.data.notes:
        console.print(f"note: {note}", highlight=False)
    console.print("written: " + ", ".join(str(p) for p in [out, *figures]))


def main() -> None:
    """Entry point of the ``supplymind`` script: errors become one clear message, exit 1."""
    try:
        app()
    except (SupplyMindError, ValueError, FileNotFoundError) as exc:
        err_console.print(
            f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise SystemExit(1) from None
