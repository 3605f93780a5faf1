"""Errors of the directory: unusable database, invalid data (every problem located)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence



class DirectoryError(RuntimeError):
    """The directory cannot be used (e.g. never loaded into this database)."""


@dataclass(frozen=True)
class Problem:
    """One data error, located by file, service (1-based index and id) and field."""

    file: str
    message: str
    index: int | None = None
    service_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.index is not None:
            where += f", service #{self.index}"
            if self.service_id:
                where += f" ({self.service_id})"
        elif self.service_id:  # a ROR resource: "HealthcareService/123"
            where += f", ressource {self.service_id}"
        if self.field:
            where += f', champ "{self.field}"'
        return f"{where}: {self.message}"


class DirectoryDataError(ValueError):
    """Invalid directory data; ``problems`` lists every error found (nothing was written)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            text = lines[0]
        else:
            text = f"{len(lines)} erreurs dans les données de l'annuaire :\n" + "\n".join(
                f"- {line}" for line in lines
            )
        super().__init__(text)


