"""Findings about a package, shown to the institution admin before an import (Spanish, translatable).

Pure: no Django models. Must not import courses or certification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INFO = "info"
WARNING = "warning"
ERROR = "error"
LEVELS = (INFO, WARNING, ERROR)


@dataclass
class Finding:
    level: str  # info | warning | error
    code: str  # stable, for tests and filtering: "missing_file", "sequencing_rules", ...
    message: str  # Spanish, for a non-technical admin
    path: str = ""  # the file or item concerned, if any

    def as_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "message": str(self.message), "path": self.path}


@dataclass
class Findings:
    items: list[Finding] = field(default_factory=list)

    def add(self, level: str, code: str, message: Any, path: str = "") -> None:
        self.items.append(Finding(level=level, code=code, message=str(message), path=path))

    def info(self, code: str, message: Any, path: str = "") -> None:
        self.add(INFO, code, message, path)

    def warning(self, code: str, message: Any, path: str = "") -> None:
        self.add(WARNING, code, message, path)

    def error(self, code: str, message: Any, path: str = "") -> None:
        self.add(ERROR, code, message, path)

    def extend(self, other: Findings) -> None:
        self.items.extend(other.items)

    @property
    def has_errors(self) -> bool:
        return any(f.level == ERROR for f in self.items)

    def codes(self, level: str | None = None) -> list[str]:
        return [f.code for f in self.items if level is None or f.level == level]
