"""The evidence downstream services read: table fixtures and API payloads.

    fixtures/index.json        seed, schema, load order, per table: columns, rows, files
    fixtures/<table>.json      the first `fixture_rows` rows as JSON objects (with the keys the
                               database assigned, e.g. identity ids, when they were read back)
    fixtures/<table>.tsv       every row loaded, in PostgreSQL COPY text format (columns as in
                               index.json): `\\copy <table> (<columns>) FROM '<table>.tsv'`
    payloads/<operation>.json  the request payloads of one operation, with validation errors

Files are written with sorted keys where order is free and no timestamps, so the same seed
gives byte-identical files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tasks.test_data.dataset import DatasetResult
from tasks.test_data.encode import copy_text, encode_column
from tasks.test_data.payloads import OperationPayloads
from tasks.test_data.schema import Schema

__all__ = ["write_payloads", "write_table_fixtures"]


def _dump(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_table_fixtures(
    out: Path, schema: Schema, dataset: DatasetResult, *, seed: int, fixture_rows: int
) -> list[Path]:
    written: list[Path] = []
    index: dict[str, Any] = {"seed": seed, "schema": schema.name, "order": list(dataset.tables), "tables": {}}
    for name, result in dataset.tables.items():
        data = result.data
        if data is None or result.loaded == 0:
            index["tables"][name] = {"rows": 0, "error": result.error, "violations": len(result.violations)}
            continue
        table = schema.tables[name]
        records = data.records(fixture_rows)
        for key, values in result.keys.items():  # database-assigned keys, in row order
            if len(values) == data.rows:
                for record, value in zip(records, values, strict=False):
                    for column, item in zip(key, value, strict=True):
                        record[column] = item
        ordered = [c for c in table.column_names if records and c in records[0]]
        records = [{c: r[c] for c in ordered} for r in records]
        written.append(_dump(out / f"{name}.json", records))
        tsv = out / f"{name}.tsv"
        tsv.write_bytes(copy_text([encode_column(data.values[c], table.column(c).type) for c in data.columns]))
        written.append(tsv)
        index["tables"][name] = {
            "rows": result.loaded,
            "columns": list(data.columns),
            "json": f"{name}.json",
            "json_rows": len(records),
            "tsv": f"{name}.tsv",
        }
    written.insert(0, _dump(out / "index.json", index))
    return written


def write_payloads(out: Path, results: list[OperationPayloads]) -> list[Path]:
    return [_dump(out / f"{r.operation.name}.json", r.document()) for r in results]
