"""Pages of a long list: the inbox and the orders list show ``PAGE_ROWS`` rows at a time, each
board column ``COLUMN_CARDS`` cards, with the whole count and plain links to the next page
(``?page=2``, no script needed), so a page costs what it shows, not the size of the shop."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request

#: the rows of one page of the inbox or the orders list
PAGE_ROWS = 50
#: the cards a board column shows; the rest are in the orders list of that status
COLUMN_CARDS = 20


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (from 1) of ``size`` rows, of a list at ``path`` with the request's other
    query parameters."""

    path: str
    number: int
    size: int
    others: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, request: Request, size: int = PAGE_ROWS) -> Paging:
        """The page the request asks for: ``?page=N``, the first for anything else."""
        asked = request.query_params.get("page", "")
        number = int(asked) if asked.isdigit() and 0 < len(asked) < 9 else 1
        others = tuple((k, v) for k, v in request.query_params.multi_items() if k != "page")
        return cls(request.url.path, max(1, number), size, others)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def pages(self, total: int) -> int:
        return max(1, -(-total // self.size))

    def url(self, number: int) -> str:
        return f"{self.path}?" + urlencode([*self.others, ("page", str(number))])
