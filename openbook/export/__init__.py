"""Bulk snapshots of the log (``openbook export``; docs/downloads.md): JSON Lines, per-year
files, Parquet, flattened CSV and Excel, checksums and a manifest with the log's tree head."""

from openbook.export.snapshot import ExportError, Progress, export

__all__ = ["ExportError", "Progress", "export"]
