"""What the demo steps share: the objects they made and the lines to print at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "ruta-demo-2026"  # noqa: S105 - printed on purpose: these are demo accounts


@dataclass
class DemoContext:
    stdout: Any
    style: Any
    institutions: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def login(self, role: str, username: str, note: str = "") -> None:
        self.logins.append((role, username, note))

    def say(self, line: str) -> None:
        self.lines.append(line)

    def print_summary(self) -> None:
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
        self.stdout.write(f"Cuentas de demostración (contraseña para todas: {DEMO_PASSWORD}):")
        for role, username, note in self.logins:
            self.stdout.write(f"  {role:<28} {username:<22} {note}")
        for line in self.lines:
            self.stdout.write(line)
