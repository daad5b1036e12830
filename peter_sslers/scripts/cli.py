"""``peter_sslers CONFIG.ini COMMAND ...``: the store's operations from a shell or cron.

Every command calls the same lib functions as the admin views, in a session of its own that
is committed when the command succeeds. ``--json`` prints one JSON document on stdout
(progress and logs go to stderr). Exit status: 0 done, 1 the operation failed (or partly),
2 a usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from sqlalchemy.orm import Session

from ..lib import cert_utils
from ..lib.errors import InvalidRequest, PeterSSLersError
from ..model import get_engine, get_session_factory, writer_bind
from ..settings import ConfigurationError, parse_settings
from . import ini_logging, ini_settings

PROG = "peter_sslers"


class CliError(Exception):
    """A problem with how the command was called (exit status 2)."""


class Cli:
    """What every command needs: the ini's settings and sessions on its database."""

    def __init__(self, config_uri: str, *, as_json: bool = False):
        self.config_uri = config_uri
        self.as_json = as_json
        self.raw = ini_settings(config_uri)
        self.settings = parse_settings(self.raw)
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            cert_utils.configure(
                backend=self.settings.crypto_backend,
                openssl_path=self.settings.openssl_path,
                openssl_path_conf=self.settings.openssl_path_conf,
            )
            self._engine = get_engine(self.raw)
        return self._engine

    @property
    def session_factory(self):
        return get_session_factory(self.engine)

    @contextlib.contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """A session committed at the end (rolled back on error); writers BEGIN IMMEDIATE on SQLite."""
        bind = writer_bind(self.engine) if write else self.engine
        session = Session(bind=bind, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def acme_env(self, session: Session):
        """An AcmeEnv whose checkpoint commits ``session``; flush its recorder when done."""
        from ..lib.acme.clients import AcmeEnv

        def checkpoint() -> None:
            session.commit()

        return AcmeEnv.for_session_factory(
            self.settings, self.session_factory, checkpoint=checkpoint
        )

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


# ---- output ----------------------------------------------------------------------------------


def _text(value, indent: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                yield f"{indent}{key}:"
                yield from _text(item, indent + "  ")
            else:
                yield f"{indent}{key}: {_scalar(item)}"
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield indent + "- " + ", ".join(f"{k}={_scalar(v)}" for k, v in item.items())
            else:
                yield f"{indent}- {_scalar(item)}"
    else:
        yield indent + _scalar(value)


def _scalar(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str) if value else "none"
    return str(value)


def emit(data: dict, as_json: bool, out: TextIO = sys.stdout) -> None:
    if as_json:
        out.write(json.dumps(data, default=str, indent=2) + "\n")
    else:
        out.write("\n".join(_text(data)) + "\n")


class ProgressBar:
    """``[#####-----] 500/1000 (2345/s)`` on stderr, redrawn in place."""

    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 30):
        self.label, self.stream, self.width = label, stream, width
        self.started = time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} ({rate:,.0f}/s)")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# ---- commands on the store -------------------------------------------------------------------


def cmd_initialize_db(cli: Cli, args) -> dict:
    from .initializedb import initialize

    initialize(cli.config_uri)
    return {"result": "success", "operation": "initialize-db", "database": "ready"}


def cmd_status(cli: Cli, args) -> dict:
    from ..lib.db import stats

    with cli.session(write=False) as session:
        counts = stats.dashboard_counts(session)
        attention = stats.attention_items(counts)
    return {"result": "success", "operation": "status", "counts": counts, "attention": attention}


def _status_text(data: dict) -> str:
    counts = data["counts"]
    width = max(len(k) for k in counts)
    lines = [f"{key.replace('_', ' '):<{width}}  {value:>8}" for key, value in counts.items()]
    lines += [f"! {a['count']} {a['message']}" for a in data["attention"]]
    return "\n".join(lines) + "\n"


def cmd_update_recents(cli: Cli, args) -> dict:
    from ..lib import redis_sync
    from ..lib.db import recents

    with cli.session() as session:
        change = recents.update_recents_changed(session)
    # committed: the domains whose latest certificates changed are written through to Redis
    sync = redis_sync.sync_committed(cli.session_factory, cli.settings, change.domain_ids,
                                     operation="Domain__update_recents")  # fmt: skip
    return {"result": "success", "operation": "update-recents", "domains_updated": change.count, **sync}


def cmd_deactivate_expired(cli: Cli, args) -> dict:
    from ..lib import redis_sync
    from ..lib.db import recents

    with cli.session() as session:
        change = recents.deactivate_expired_changed(session)
    # committed: the domains of the certificates deactivated are written through to Redis
    sync = redis_sync.sync_committed(cli.session_factory, cli.settings, change.domain_ids,
                                     operation="CertificateSigned__deactivate_expired")  # fmt: skip
    return {
        "result": "success",
        "operation": "deactivate-expired",
        "certificates_deactivated": change.count,
        **sync,
    }


def cmd_export(cli: Cli, args) -> dict:
    from ..lib import export

    with cli.session(write=False) as session:
        data = export.export_domains(session, args.directory, args.domain)
    return {"result": "success", "operation": "export", **data}


def cmd_import_certbot(cli: Cli, args) -> dict:
    from ..lib import certbot_import
    from ..lib.db.certificates import RenewalPolicy

    progress = ProgressBar("import-certbot") if not args.quiet else None
    with cli.session() as session:
        try:
            summary = certbot_import.import_tree(
                session,
                args.path,
                commit=session.commit,
                batch_size=args.batch_size,
                progress=progress,
                renewal=RenewalPolicy.from_settings(cli.settings),
            )
        except certbot_import.TreeError as exc:
            raise CliError(str(exc)) from None
        finally:
            if progress is not None:
                progress.close()
    data = summary.as_json()
    failed = data["failed"] or data["accounts_failed"]
    return {"result": "partial" if failed else "success", "operation": "import-certbot", **data}


def _import_text(data: dict) -> str:
    lines = [f"{f['label']}: {f['error']}" for f in data["failures"] + data["account_failures"]]
    lines.append(
        f"summary: {data['imported']} imported, {data['already_present']} already present, {data['failed']} failed"
        f" ({data['certificates_per_second']:,.0f} certificates/s)"
    )
    lines.append(
        f"accounts: {data['accounts_imported']} imported, {data['accounts_already_present']} already present, "
        f"{data['accounts_failed']} failed"
    )
    return "\n".join(lines) + "\n"


def _optional_module(name: str, command: str):
    """A lib module another part of the project provides; a clear error when it is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise CliError(
            f"{command} is not available in this installation: {name} is missing"
        ) from None


def cmd_redis_prime(cli: Cli, args) -> dict:
    from ..lib.db.common import log_operation

    redis_prime = _optional_module("peter_sslers.lib.redis_prime", "redis prime")
    with cli.session(write=False) as session:
        counts = redis_prime.prime_all(session, cli.settings)
    with cli.session() as session:
        log_operation(session, "Redis__prime", counts)
    return {"result": "success", "operation": "redis-prime", **counts}


def cmd_nginx(cli: Cli, args) -> dict:
    from ..lib.db.common import log_operation

    nginx_cache = _optional_module("peter_sslers.lib.nginx_cache", "nginx " + args.action)
    if args.action == "flush":
        data = nginx_cache.expire_all(cli.settings)
        status = data["servers_status"]
        with cli.session() as session:
            log_operation(session, "Nginx__cache_flush", {
                "result": data["result"], "success": status["success"], "errors": status["errors"],
            })  # fmt: skip
    else:
        data = nginx_cache.status(cli.settings)
    return {**data, "operation": f"nginx-{args.action}"}


def cmd_notify(cli: Cli, args) -> dict:
    from ..lib import notifications

    with cli.session() as session:
        summary = notifications.run_checks(session, cli.settings)
    return {
        "result": "partial" if summary["failed"] else "success",
        "operation": "notify",
        **summary,
    }


# ---- the parser ------------------------------------------------------------------------------


def _json_flag(parser: argparse.ArgumentParser, default) -> None:
    parser.add_argument(
        "--json", action="store_true", default=default, help="print the result as JSON"
    )


def _add(subparsers, name: str, handler: Callable, help_text: str, text: Callable | None = None):
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    _json_flag(parser, argparse.SUPPRESS)
    parser.set_defaults(handler=handler, text=text)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from . import cli_acme

    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("config_uri", help="the application's ini file, e.g. production.ini")
    _json_flag(parser, False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add(commands, "initialize-db", cmd_initialize_db, "create or upgrade the database and seed it")
    _add(commands, "status", cmd_status, "counts of everything in the store", _status_text)
    _add(commands, "update-recents", cmd_update_recents, "cache each domain's latest certificates")
    _add(
        commands,
        "deactivate-expired",
        cmd_deactivate_expired,
        "deactivate expired certificates no longer in use",
    )
    export = _add(
        commands,
        "export",
        cmd_export,
        "write each domain's cert/chain/fullchain/privkey.pem under DIR",
    )
    export.add_argument("directory", metavar="DIR")
    export.add_argument("--domain", metavar="NAME", help="only this domain")
    certbot = _add(commands, "import-certbot", cmd_import_certbot,
                   "import a certbot tree (archive/, live/, accounts/) from disk", _import_text)  # fmt: skip
    certbot.add_argument(
        "path", metavar="PATH", help="e.g. /etc/letsencrypt, or its archive/, live/ or accounts/"
    )
    certbot.add_argument("--batch-size", type=int, default=500, help="certificates per transaction")
    certbot.add_argument("--quiet", action="store_true", help="no progress bar")
    cli_acme.add_commands(commands, _add)
    redis = _add(commands, "redis", cmd_redis_prime, "Redis operations")
    redis.add_argument("action", choices=["prime"])
    nginx = _add(
        commands, "nginx", cmd_nginx, "expire (flush) or read (status) the nginx certificate caches"
    )
    nginx.add_argument("action", choices=["flush", "status"])
    _add(commands, "notify", cmd_notify, "run the notification checks and send what is due")
    return parser


def run(args, stdout: TextIO = sys.stdout) -> int:
    """Run parsed ``args``; returns the exit status."""
    try:
        cli = Cli(args.config_uri, as_json=args.json)
    except ConfigurationError as exc:
        return _fail(args, str(exc), {}, 2, stdout)
    try:
        data = args.handler(cli, args)
    except CliError as exc:
        return _fail(args, str(exc), {}, 2, stdout)
    except InvalidRequest as exc:
        return _fail(args, exc.message, exc.form_errors, 1, stdout)
    except Exception as exc:
        if not isinstance(exc, (PeterSSLersError, *_acme_errors())):
            raise
        return _fail(args, f"{type(exc).__name__}: {exc}", {}, 1, stdout)
    finally:
        cli.dispose()
    if args.text is not None and not args.json:
        stdout.write(args.text(data))
    else:
        emit(data, args.json, stdout)
    return 0 if data.get("result", "success") == "success" else 1


def _acme_errors() -> tuple[type, ...]:
    # only commands that talk to ACME load the client (a second of start-up for the others)
    errors = sys.modules.get("peter_sslers.lib.acme_v2.errors")
    return (errors.AcmeError,) if errors is not None else ()


def _fail(args, message: str, form_errors: dict, status: int, stdout: TextIO = sys.stdout) -> int:
    if getattr(args, "json", False):
        emit({"result": "error", "error": message, "form_errors": form_errors}, True, stdout)
    else:
        details = "".join(f"\n  {field}: {text}" for field, text in form_errors.items())
        sys.stderr.write(f"error: {message}{details}\n")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not os.path.isfile(args.config_uri.split("#", 1)[0]):
        parser.error(f"no such ini file: {args.config_uri}")
    try:
        ini_logging(args.config_uri)
    except Exception:  # noqa: BLE001 - an ini without logging sections is still usable
        pass
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
