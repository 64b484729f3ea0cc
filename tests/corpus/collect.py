"""Collect the real-table corpus: public tables that ship as files inside installable packages
(statsmodels' datasets, vega_datasets' local files, palmerpenguins, scikit-learn's bundled CSVs;
all in the test extra). Nothing is downloaded: each file is copied, as its package ships it, into
a cache folder (gzip files are unpacked). The quirks are the point: tab- and space-separated files,
single-quoted headers, a byte-order mark, R-style row names, dates in several formats, free text,
numeric year headers, a header line of metadata, empty cells, headerless files.

    python tests/corpus/collect.py OUT_DIR      # copies every table, prints one line each

TABLES: (name, package, path inside the package, target column). The target is the column a
person would pick; every other choice is the default.
"""
from __future__ import annotations

import gzip
import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CorpusTable:
    name: str
    package: str
    path: str
    target: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


_SM = "statsmodels"
_VEGA = "vega_datasets"
_PENGUINS = "palmerpenguins"
_SK = "sklearn"

TABLES: tuple[CorpusTable, ...] = (
    CorpusTable("anes96", _SM, "datasets/anes96/anes96.csv", "'vote'"),
    CorpusTable("anes96_src", _SM, "datasets/anes96/src/anes96.csv", "vote"),
    CorpusTable("cancer", _SM, "datasets/cancer/cancer.csv", "cancer"),
    CorpusTable("ccard", _SM, "datasets/ccard/ccard.csv", "AVGEXP"),
    CorpusTable("ccard_src", _SM, "datasets/ccard/src/ccard.csv", "Acc"),
    CorpusTable("co2", _SM, "datasets/co2/co2.csv", "co2"),
    CorpusTable("committee", _SM, "datasets/committee/committee.csv", "BILLS104"),
    CorpusTable("copper", _SM, "datasets/copper/copper.csv", "WORLDCONSUMPTION"),
    CorpusTable("cpunish", _SM, "datasets/cpunish/cpunish.csv", "EXECUTIONS"),
    CorpusTable("danish", _SM, "datasets/danish_data/data.csv", "lrm"),
    CorpusTable("elec_equip", _SM, "datasets/elec_equip/elec_equip.csv",
                "STS.M.I7.W.TOVT.NS0016.4.000"),
    CorpusTable("elnino", _SM, "datasets/elnino/elnino.csv", "DEC"),
    CorpusTable("engel", _SM, "datasets/engel/engel.csv", "foodexp"),
    CorpusTable("fair", _SM, "datasets/fair/fair.csv", "affairs"),
    CorpusTable("fair_pt", _SM, "datasets/fair/fair_pt.csv", "naffairs"),
    CorpusTable("fertility", _SM, "datasets/fertility/fertility.csv", "2011"),
    CorpusTable("grunfeld", _SM, "datasets/grunfeld/grunfeld.csv", "invest"),
    CorpusTable("heart", _SM, "datasets/heart/heart.csv", "survival"),
    CorpusTable("interest_inflation", _SM, "datasets/interest_inflation/E6.csv", "R"),
    CorpusTable("interest_jmulti", _SM, "datasets/interest_inflation/E6_jmulti.csv", "col_2"),
    CorpusTable("longley", _SM, "datasets/longley/longley.csv", "TOTEMP"),
    CorpusTable("macrodata", _SM, "datasets/macrodata/macrodata.csv", "unemp"),
    CorpusTable("modechoice", _SM, "datasets/modechoice/modechoice.csv", "choice"),
    CorpusTable("modechoice_src", _SM, "datasets/modechoice/src/TableF18-2.csv", "MODE"),
    CorpusTable("nile", _SM, "datasets/nile/nile.csv", "volume"),
    CorpusTable("randhie", _SM, "datasets/randhie/randhie.csv", "mdvis"),
    CorpusTable("scotvote", _SM, "datasets/scotland/scotvote.csv", "YES"),
    CorpusTable("spector", _SM, "datasets/spector/spector.csv", "'GRADE'"),
    CorpusTable("stackloss", _SM, "datasets/stackloss/stackloss.csv", "STACKLOSS"),
    CorpusTable("star98", _SM, "datasets/star98/star98.csv", "PR50M"),
    CorpusTable("statecrime", _SM, "datasets/statecrime/statecrime.csv", "murder"),
    CorpusTable("strikes", _SM, "datasets/strikes/strikes.csv", "duration"),
    CorpusTable("sunspots", _SM, "datasets/sunspots/sunspots.csv", "SUNACTIVITY"),
    CorpusTable("iowa_electricity", _VEGA, "_data/iowa-electricity.csv", "net_generation"),
    CorpusTable("la_riots", _VEGA, "_data/la-riots.csv", "type"),
    CorpusTable("seattle_temps", _VEGA, "_data/seattle-temps.csv", "temp"),
    CorpusTable("seattle_weather", _VEGA, "_data/seattle-weather.csv", "weather"),
    CorpusTable("sf_temps", _VEGA, "_data/sf-temps.csv", "temp"),
    CorpusTable("stocks", _VEGA, "_data/stocks.csv", "price"),
    CorpusTable("us_employment", _VEGA, "_data/us-employment.csv", "nonfarm_change"),
    CorpusTable("penguins", _PENGUINS, "data/penguins.csv", "species"),
    CorpusTable("penguins_raw", _PENGUINS, "data/penguins-raw.csv", "Species"),
    CorpusTable("sk_iris", _SK, "datasets/data/iris.csv", "virginica"),
    CorpusTable("sk_digits", _SK, "datasets/data/digits.csv.gz", "col_65"),
    CorpusTable("linnerud_exercise", _SK, "datasets/data/linnerud_exercise.csv", "Jumps"),
    CorpusTable("linnerud_physiological", _SK, "datasets/data/linnerud_physiological.csv",
                "Pulse"),
)


def package_file(table: CorpusTable) -> Path:
    spec = importlib.util.find_spec(table.package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{table.package} is not installed (pip install -e '.[test]')")
    return Path(spec.origin).parent / table.path


def collect(out_dir: str | Path) -> dict[str, Path]:
    """Copy every table into `out_dir` (kept when already there); name → CSV path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table in TABLES:
        target = out / table.file_name
        if not target.exists():
            source = package_file(table)
            if source.suffix == ".gz":
                with gzip.open(source, "rb") as packed, open(target, "wb") as plain:
                    shutil.copyfileobj(packed, plain)
            else:
                shutil.copyfile(source, target)
        paths[table.name] = target
    return paths


if __name__ == "__main__":
    for name, path in collect(sys.argv[1] if len(sys.argv) > 1 else "corpus").items():
        print(f"{name:<24} {path.stat().st_size:>9,} bytes  {path}")
