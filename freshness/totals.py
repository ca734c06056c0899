"""`Total`: a result's count that is the sum of the same count over its parts (a poll's papers over its
sources, an import's over its files), declared in one line instead of a property each."""

from __future__ import annotations

from typing import Any, overload


class Total:
    """A read-only attribute: the sum of the attribute of the same name over the parts held in
    `parts` (`added = Total("files")` is `sum(f.added for f in self.files)`)."""

    def __init__(self, parts: str) -> None:
        self.parts = parts
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Total: ...

    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> int: ...

    def __get__(self, obj: object, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return sum(getattr(part, self.name) for part in getattr(obj, self.parts))
