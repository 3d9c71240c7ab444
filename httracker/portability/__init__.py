"""A user's data in and out: CSV and JSON exports, and all-or-nothing imports of either."""

from .export import export_csv, export_data, export_json
from .importing import import_data, import_file
from .parsing import format_of, parse
from .records import (
    CSV_COLUMNS,
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportRejected,
    ImportResult,
    neutralise,
    unneutralise,
)
from .running import IMPORT_RUNNING, import_slot

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "IMPORT_RUNNING",
    "MAX_IMPORT_BYTES",
    "ImportRejected",
    "ImportResult",
    "export_csv",
    "export_data",
    "export_json",
    "format_of",
    "import_data",
    "import_file",
    "import_slot",
    "neutralise",
    "parse",
    "unneutralise",
]
