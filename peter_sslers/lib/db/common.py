"""Helpers shared by the database modules: race-safe get-or-create, operations events, paging."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...model import OperationsEvent, OperationsObjectEvent

T = TypeVar("T")
PAGE_SIZE = 50


def get_or_create(
    dbsession: Session, model: type[T], lookup: dict[str, Any], create: Callable[[], T]
) -> tuple[T, bool]:
    """The row matching ``lookup``, or a new one from ``create()``; safe against a concurrent insert.

    The insert runs in a SAVEPOINT: if another transaction inserted the same unique
    value first, we roll back to it and return that row instead.
    """
    query = sa.select(model).filter_by(**lookup)
    row = dbsession.execute(query).scalar_one_or_none()
    if row is not None:
        return row, False
    try:
        with dbsession.begin_nested():
            row = create()
            dbsession.add(row)
            dbsession.flush()
    except IntegrityError:
        row = dbsession.execute(query).scalar_one()
        return row, False
    return row, True


def insert_skipping_duplicates(dbsession: Session, model) -> sa.Insert:
    """``INSERT ... ON CONFLICT DO NOTHING``: rows a unique index already holds are skipped.

    Under concurrent writers the losing insert waits for the winner's commit, then skips.
    """
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[dbsession.get_bind().dialect.name]
    return dialect.insert(model).on_conflict_do_nothing()


def log_operation(
    dbsession: Session,
    event_type: str,
    payload: dict | None = None,
    objects: Iterable[tuple[str, int, str]] = (),
) -> OperationsEvent:
    """Record an operations event and the objects it touched: (type, id, status) triples."""
    event = OperationsEvent(
        event_type=event_type, payload_json=json.dumps(payload, default=str) if payload else None
    )
    dbsession.add(event)
    dbsession.flush()
    for object_type, object_id, status in objects:
        dbsession.add(
            OperationsObjectEvent(
                operations_event_id=event.id, object_type=object_type, object_id=object_id,
                event_status=status,
            )
        )
    return event


@dataclasses.dataclass
class Page:
    """One page of a listing: the rows, and where it sits in the whole."""

    items: list
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    def as_json(self) -> dict:
        return {"page": self.page, "page_size": self.page_size, "total": self.total, "pages": self.pages}


def paginate(dbsession: Session, query: sa.Select, page: int, page_size: int = PAGE_SIZE) -> Page:
    """Run ``query`` (already ordered) for one page; the count runs over the same filters."""
    page = max(1, page)
    total = dbsession.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    items = list(
        dbsession.execute(query.limit(page_size).offset((page - 1) * page_size)).scalars()
    )
    return Page(items=items, page=page, page_size=page_size, total=total)
