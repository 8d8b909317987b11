"""Where the detectors run: DuckDB (embedded, the default) or Apache Spark (local or a
cluster). Detectors are SQL written once, in DuckDB's dialect; for Spark, sqlglot
transpiles it. Both engines read the archive's Parquet days and answer Arrow tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import sqlglot

from accord.core.errors import ConfigurationError


class Engine(Protocol):
    """Runs the desk's SQL over named relations."""

    name: str

    def register_parquet(self, name: str, glob: str) -> None:
        """Make the Parquet files matching `glob` the relation `name`."""
        ...

    def register_table(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table the relation `name`."""
        ...

    def query(self, sql: str) -> pa.Table:
        """Run one statement (DuckDB dialect) and answer its rows."""
        ...

    def create_view(self, name: str, sql: str) -> None:
        """Name a query's result for the statements that follow (computed once)."""
        ...


class DuckDBEngine(AbstractContextManager["DuckDBEngine"]):
    """DuckDB in this process, with its memory bounded."""

    name = "duckdb"

    def __init__(self, *, memory_limit: str = "3GB", threads: int | None = None):
        self._db = duckdb.connect()
        self._db.execute(f"SET memory_limit = '{memory_limit}'")
        self._db.execute("SET TimeZone = 'UTC'")
        if threads:
            self._db.execute(f"SET threads = {int(threads)}")

    def register_parquet(self, name: str, glob: str) -> None:
        self._db.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * EXCLUDE (day) "
            f"FROM read_parquet({_text(glob)}, hive_partitioning = true)"
        )

    def register_table(self, name: str, table: pa.Table) -> None:
        self._db.register(name, table)

    def query(self, sql: str) -> pa.Table:
        return self._db.sql(sql).to_arrow_table()

    def create_view(self, name: str, sql: str) -> None:
        self._db.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._db.close()


class SparkEngine(AbstractContextManager["SparkEngine"]):
    """Spark SQL: a local session by default, or the master the caller names."""

    name = "spark"

    def __init__(self, *, master: str = "local[2]", config: Mapping[str, str] | None = None):
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise ConfigurationError(
                "the spark engine needs pyspark (pip install 'accord[spark]') and Java 17"
            ) from exc
        builder = SparkSession.builder.master(master).appName("accord-maritime")
        settings = {
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "8",
            **(config or {}),
        }
        for key, value in settings.items():
            builder = builder.config(key, value)
        self._spark: Any = builder.getOrCreate()
        # Spark warns about things that are fine here (globs without a metadata
        # directory, a broadcast table's size); errors still show.
        self._spark.sparkContext.setLogLevel("ERROR")

    def register_parquet(self, name: str, glob: str) -> None:
        frame = self._spark.read.parquet(glob).drop("day")
        frame.createOrReplaceTempView(name)

    def register_table(self, name: str, table: pa.Table) -> None:
        self._spark.createDataFrame(table).createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        table: pa.Table = self._spark.sql(_spark_sql(sql)).toArrow()
        return table

    def create_view(self, name: str, sql: str) -> None:
        self._spark.sql(_spark_sql(sql)).cache().createOrReplaceTempView(name)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._spark.stop()


def _spark_sql(sql: str) -> str:
    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
