"""Where the project's files live, independent of the working directory."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_DIR / "migrations"
