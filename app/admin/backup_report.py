"""What a verify found, as an operator reads it: the file against its manifest, then each table restored against the
source's figures in the manifest, and one verdict line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024


@dataclass
class Report:
    """Lines of the report and the differences found; a backup is good when there are none (and nothing failed)."""

    title: str
    lines: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.differences and self.error is None

    def fail(self, reason: str) -> None:
        self.error = reason

    def text(self) -> str:
        if self.error is not None:
            verdict = f"RESULT: FAILED: {self.error}"
        elif self.differences:
            verdict = f"RESULT: FAILED: {len(self.differences)} difference(s): " + "; ".join(self.differences)
        else:
            verdict = "RESULT: OK: the restored copy matches the source's figures taken with the dump"
        return "\n".join([self.title, *self.lines, "", verdict]) + "\n"


def check_file(report: Report, manifest: dict[str, Any], size: int, digest: str) -> None:
    """The file is the one the manifest describes: its size and sha256."""
    same = size == manifest.get("size") and digest == manifest.get("sha256")
    report.lines += [
        f"  file       {manifest.get('file')}: {size / MB:.2f} MB, sha256 {digest}",
        f"             {'matches the manifest' if same else 'DIFFERS from the manifest'} "
        f"({manifest.get('size')} bytes, sha256 {manifest.get('sha256')})",
        f"  taken      {manifest.get('created_at')} from {manifest.get('database')} on {manifest.get('host')} "
        f"(PostgreSQL {manifest.get('server_version')}, schema revision {manifest.get('schema_revision')}, "
        f"snapshot {manifest.get('snapshot')})",
    ]
    if not same:
        report.differences.append("the file's size or sha256 is not the manifest's (corrupt or altered)")


def compare_tables(report: Report, manifest: dict[str, Any], restored: dict[str, dict[str, Any]]) -> None:
    """Every table's rows, and the key tables' checksums, in the restored copy against the manifest."""
    expected: dict[str, dict[str, Any]] = manifest.get("tables", {})
    keys = set(manifest.get("key_tables", ()))
    report.lines += ["", f"  {'table':<24}{'source rows':>12}{'restored':>12}  checksum (md5 of rows by primary key)"]
    for table in sorted(set(expected) | set(restored), key=lambda t: (t not in keys, t)):
        want, got = expected.get(table), restored.get(table)
        if want is None or got is None:
            where = "the restored copy" if got is None else "the manifest"
            report.lines.append(f"  {table:<24}{'MISSING from ' + where:>24}")
            report.differences.append(f"{table} missing from {where}")
            continue
        rows_ok = want["rows"] == got["rows"]
        mark = "" if rows_ok else "  ROWS DIFFER"
        if table in keys:
            same = want.get("checksum") == got.get("checksum")
            mark = f"{got.get('checksum')} {'ok' if same else 'DIFFERS from ' + str(want.get('checksum'))}" + mark
            if not same:
                report.differences.append(f"{table} checksum differs")
        if not rows_ok:
            report.differences.append(f"{table} has {got['rows']} rows, the source {want['rows']}")
        report.lines.append(f"  {table:<24}{want['rows']:>12,}{got['rows']:>12,}  {mark}".rstrip())
    counted = sum(1 for t in restored if t in expected)
    report.lines.append(f"  {counted} tables counted, {len(keys & set(restored))} key tables checksummed")
