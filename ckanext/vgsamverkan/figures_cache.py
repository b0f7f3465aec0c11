"""The coordinator's workplace's figures that change only with a write or a new day (issue
39): the dashboard's counts (``vgsamverkan_dashboard_show``) and the chart's twelve months
(``vgsamverkan_history_show``), kept in Redis (``ckan.redis.url``, shared by every worker
process and server) under a key that every write changes.

The key is the generation of what they read, one cheap statement: the event log's size and
newest event (every change of state in the extension writes an event: a decision, a step
of a connection or call-off, time logged or corrected, a population import, a fee run,
close or adjustment, a schedule, an expiry, an anonymisation), and, for what is written
without an event (the bench's and the tests' rows, a command or SQL by hand), the size and
newest change of each table they read (participations, publisher requests, connections,
call-offs, their time, the population, the fee months and adjustments); with the portal's
day (``taking_part.today()``: who takes part, the months over) and the language. The
generation is read before the figures, so figures kept under a key are never older than
it. A TTL (``TTL``) is the safety net for a write the key does not see.

Redis that does not answer never breaks the page: the figures are then computed as
without a cache (and the failure logged).
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Callable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.domain import taking_part

log = logging.getLogger(__name__)

TTL = 600  # seconds: a safety net, the key changes with every write
VERSION = "1"  # the shape of what is kept: raise it when the figures' shape changes
PREFIX = "ckanext-vgsamverkan:figures"


def _tables() -> list[tuple[Any, Any]]:
    """The tables the dashboard and the chart read, each with its column of the newest change."""
    from ckanext.vgsamverkan.model import (  # noqa: PLC0415 (the models, once loaded)
        Calloff,
        CalloffTime,
        Connection,
        Event,
        FeeAdjustment,
        FeeMonth,
        Participation,
        Population,
        PublisherRequest,
    )

    return [(Event, Event.created), (Participation, Participation.modified),
            (PublisherRequest, PublisherRequest.modified), (Connection, Connection.modified),
            (Calloff, Calloff.modified), (CalloffTime, CalloffTime.created), (Population, Population.modified),
            (FeeMonth, FeeMonth.modified), (FeeAdjustment, FeeAdjustment.created)]


def generation() -> str:
    """What the figures were computed from, in one statement: each table's rows and newest
    change, the portal's day and the language."""
    columns = []
    for table, changed in _tables():
        columns.append(sa.select(sa.func.count()).select_from(table).scalar_subquery())
        columns.append(sa.select(sa.func.max(changed)).scalar_subquery())
    row = model.Session.execute(sa.select(*columns)).one()
    parts = [str(v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
    parts += [taking_part.today().isoformat(), tk.h.lang() or ""]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis  # noqa: PLC0415

    return connect_to_redis()


def cached(computes: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each ``computes[name]()``'s answer (JSON), kept in Redis under its name and the
    generation (one statement for the key, one round trip to Redis, one more to keep what
    was computed); with Redis not answering, computed."""
    names = list(computes)
    key = generation()
    keys = [f"{PREFIX}:{VERSION}:{name}:{key}" for name in names]
    try:
        redis = _redis()
        kept = redis.mget(keys)
    except Exception as e:  # noqa: BLE001 (any failure of Redis: compute, as without a cache)
        log.warning("The workplace's figures are not cached: Redis does not answer (%s)", e)
        return {name: computes[name]() for name in names}
    answers: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    for name, key_, value in zip(names, keys, kept, strict=True):
        if value is not None:
            try:
                answers[name] = json.loads(value)
                continue
            except ValueError:
                pass  # not ours, or cut short: computed again and written over
        answers[name] = computes[name]()
        missing[key_] = answers[name]
    if missing:
        try:
            with redis.pipeline(transaction=False) as pipe:
                for key_, value in missing.items():
                    pipe.set(key_, json.dumps(value), ex=TTL)
                pipe.execute()
        except Exception as e:  # noqa: BLE001 (Redis, or a figure not JSON: shown, not kept)
            log.warning("The workplace's figures are not kept (%s)", e)
    return answers
