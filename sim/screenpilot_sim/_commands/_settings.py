"""``settings`` and ``content``: the phone's settings tables and its content providers.

Providers are backed by the phone's in-memory SQLite database, so ``--where`` and ``--sort`` are
real SQL as on Android; the settings and the Notes files are copied into a scratch table for the
query and written back after a change. Every query runs with a time and size limit.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._shell import CommandContext
from ._registry import command, locked_output

__all__ = ["ContentTable", "resolve_uri"]

NAMESPACES = ("system", "secure", "global")


@command("settings")
def settings(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    phone = ctx.phone
    while args[:1] == ["--user"]:
        args = args[2:]
    if not args or args[0] in ("help", "-h"):
        ctx.out("Settings provider (settings) commands:\n  help\n      Print this help text.\n"
                "  get [--user <USER_ID> | current] NAMESPACE KEY\n      Retrieve the current value of KEY.\n"
                "  put [--user <USER_ID> | current] NAMESPACE KEY VALUE [TAG] [default]\n"
                "      Change the contents of KEY to VALUE.\n"
                "  delete [--user <USER_ID> | current] NAMESPACE KEY\n      Delete the entry for KEY.\n"
                "  list [--user <USER_ID> | current] NAMESPACE\n      Print all defined keys.\n"
                "      NAMESPACE is one of {system, secure, global}, case-insensitive\n")
        return 0
    verb, rest = args[0], [a for a in args[1:] if a not in ("--lineage",)]
    while rest[:1] == ["--user"]:
        rest = rest[2:]
    needs = {"get": 2, "put": 3, "delete": 2, "list": 1, "reset": 2}
    if verb not in needs:
        ctx.err(f"Invalid command: {verb}\n")
        return 255
    if len(rest) < needs[verb]:
        ctx.err(f"Invalid arguments: {verb} needs {needs[verb]} (NAMESPACE{' KEY' if needs[verb] > 1 else ''}"
                f"{' VALUE' if verb == 'put' else ''})\n")
        return 255
    ns = rest[0].lower()
    if ns not in NAMESPACES:
        ctx.err(f"Invalid namespace '{rest[0]}'\n")
        return 255
    if verb == "get":
        value = phone.get_setting(ns, rest[1])
        ctx.out(("null" if value is None else value) + "\n")
    elif verb == "put":
        phone.put_setting(ns, rest[1], rest[2])
    elif verb == "delete":
        ctx.out(f"Deleted {1 if phone.delete_setting(ns, rest[1]) else 0} rows\n")
    elif verb == "list":
        with phone.lock:
            items = sorted(phone.settings[ns].items())
        for key, value in items:
            ctx.out(f"{key}={value}\n")
    return 0


# -- content ------------------------------------------------------------------------------------------
@dataclass
class ContentTable:
    """A provider path: the SQLite table behind it and, for tables copied from elsewhere, how."""

    table: str
    columns: tuple[str, ...]
    load: Callable[[sqlite3.Connection], None] | None = None
    store: Callable[[sqlite3.Connection], None] | None = None
    row_id: int | None = None
    name_filter: str | None = None


def _settings_table(phone: Any, ns: str, name: str | None) -> ContentTable:
    table = f"_settings_{ns}"

    def load(db: sqlite3.Connection) -> None:
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE TEMP TABLE {table} (_id INTEGER PRIMARY KEY, name TEXT UNIQUE, value TEXT)")
        db.executemany(f"INSERT INTO {table} (name, value) VALUES (?, ?)", sorted(phone.settings[ns].items()))

    def store(db: sqlite3.Connection) -> None:
        rows = db.execute(f"SELECT name, value FROM {table} WHERE name IS NOT NULL").fetchall()
        with phone.transaction():
            phone.settings[ns] = {str(n): "" if v is None else str(v) for n, v in rows}

    return ContentTable(table=table, columns=("_id", "name", "value"), load=load, store=store, name_filter=name)


def resolve_uri(phone: Any, uri: str) -> ContentTable | None:
    if not uri.startswith("content://"):
        return None
    authority, _, path = uri[len("content://"):].partition("/")
    parts = [p for p in path.split("/") if p]
    if authority == "settings":
        if not parts or parts[0] not in NAMESPACES:
            return None
        return _settings_table(phone, parts[0], parts[1] if len(parts) > 1 else None)
    for app in phone.apps.values():
        if authority in app.authorities and app.package in phone.installed:
            if authority in app.legacy_authorities:
                return app.content(phone, parts, authority)
            return app.content(phone, parts)
    return None


def _limit(db: sqlite3.Connection) -> None:
    deadline = time.monotonic() + 2.0
    db.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10000)
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 10_000_000)


def _sql_error(ctx: CommandContext, authority: str, e: Exception) -> int:
    message = str(e)
    if "interrupted" in message:
        message = "interrupted: the query ran too long (code 9 SQLITE_INTERRUPT)"
    else:
        message = f"{message} (code 1 SQLITE_ERROR)"
    ctx.err(f"Error while accessing provider:{authority}\nandroid.database.sqlite.SQLiteException: {message}\n")
    return 1


def _bind(spec: str) -> tuple[str, Any]:
    name, _, rest = spec.partition(":")
    kind, _, value = rest.partition(":")
    if not name or kind not in ("s", "i", "l", "f", "d", "b", "n"):
        raise ValueError(f"Invalid binding: {spec}")
    if kind == "s":
        return name, value
    if kind in ("i", "l"):
        return name, int(value)
    if kind in ("f", "d"):
        return name, float(value)
    if kind == "b":
        return name, 1 if value.lower() == "true" else 0
    return name, None


def _fmt(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


@command("content")
def content(outer: CommandContext) -> int:
    ctx = outer
    args = ctx.argv[1:]
    phone = ctx.phone
    if not args or args[0] not in ("query", "insert", "update", "delete"):
        ctx.out("usage: adb shell content [subcommand] [options]\n\n"
                "usage: adb shell content insert --uri <URI> [--user <USER_ID>] --bind <BINDING> "
                "[--bind <BINDING>...]\n"
                "usage: adb shell content update --uri <URI> [--user <USER_ID>] [--where <WHERE>]\n"
                "usage: adb shell content delete --uri <URI> [--user <USER_ID>] --bind <BINDING> "
                "[--bind <BINDING>...] [--where <WHERE>]\n"
                "usage: adb shell content query --uri <URI> [--user <USER_ID>] [--projection <PROJECTION>] "
                "[--where <WHERE>] [--sort <SORT_ORDER>]\n")
        return 0 if not args else 1
    verb = args[0]
    opts: dict[str, Any] = {"bind": []}
    k = 1
    while k < len(args):
        a = args[k]
        if a in ("--uri", "--projection", "--where", "--sort", "--user", "--arg") and k + 1 < len(args):
            opts[a[2:]] = args[k + 1]
            k += 2
        elif a == "--bind" and k + 1 < len(args):
            opts["bind"].append(args[k + 1])
            k += 2
        else:
            ctx.err(f"Error: Unsupported argument: {a}\n")
            return 1
    uri = opts.get("uri")
    if not uri:
        ctx.err("Error: Content provider URI not specified\n")
        return 1
    authority = uri[len("content://"):].split("/")[0] if uri.startswith("content://") else uri
    with locked_output(outer) as ctx:
        target = resolve_uri(phone, uri)
        if target is None:
            ctx.err(f"Error while accessing provider:{authority}\n"
                    f"java.lang.IllegalArgumentException: Unknown URI {uri}\n")
            return 1
        try:
            binds = [_bind(b) for b in opts["bind"]]
        except ValueError as e:
            ctx.err(f"Error: {e}\n")
            return 1
        db = phone.db
        _limit(db)
        try:
            if target.load:
                target.load(db)
            where = opts.get("where")
            clauses = []
            if target.row_id is not None:
                clauses.append(f"_id = {int(target.row_id)}")
            if target.name_filter:
                clauses.append("name = " + _quote(target.name_filter))
            if where:
                clauses.append(f"({where})")
            where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
            if verb == "query":
                projection = opts.get("projection")
                cols = ", ".join(_ident(c) for c in projection.split(":")) if projection else "*"
                order = f" ORDER BY {opts['sort']}" if opts.get("sort") else ""
                cur = db.execute(f"SELECT {cols} FROM {target.table}{where_sql}{order}")
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
                if not rows:
                    ctx.out("No result found.\n")
                for n, row in enumerate(rows):
                    ctx.out(f"Row: {n} " + ", ".join(f"{c}={_fmt(v)}" for c, v in zip(names, row, strict=True)) + "\n")
                return 0
            with phone.transaction():
                if verb == "insert":
                    if not binds:
                        ctx.err("Error: Content values not specified\n")
                        return 1
                    cols = ", ".join(_ident(n) for n, _ in binds)
                    marks = ", ".join("?" for _ in binds)
                    db.execute(f"INSERT INTO {target.table} ({cols}) VALUES ({marks})", [v for _, v in binds])
                elif verb == "update":
                    if not binds:
                        ctx.err("Error: Content values not specified\n")
                        return 1
                    sets = ", ".join(f"{_ident(n)} = ?" for n, _ in binds)
                    db.execute(f"UPDATE {target.table} SET {sets}{where_sql}", [v for _, v in binds])
                else:
                    db.execute(f"DELETE FROM {target.table}{where_sql}")
                db.commit()
                if target.store:
                    target.store(db)
            return 0
        except (sqlite3.Error, sqlite3.Warning, ValueError) as e:
            return _sql_error(ctx, authority, e)
        finally:
            db.set_progress_handler(None, 0)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"no such column: {name}")
    return name


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
