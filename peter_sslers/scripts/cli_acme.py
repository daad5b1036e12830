"""The commands that talk to ACME servers: ``order new``, ``queue update|process``, ``renew-due``.

Each runs with an AcmeEnv whose checkpoint commits the command's session, so an order's
progress survives a failure and the public route (another process) sees each challenge
before the server asks for it; the ACME event log is flushed at every checkpoint and at
the end. ``--workers N`` starts N processes that claim renewal items one by one (the claim
is safe across processes), sharing one ``--limit``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator

from ..lib.db.queries import domain_names_for_sets
from ..lib.domain_names import split_domain_names
from ..lib.errors import InvalidRequest
from ..model.enums import KeyTechnology, PrivateKeyCycle, ProcessingStrategy
from ..model.meta import utcnow

UNLIMITED = 2**31 - 1


def _choice(enum_cls, raw: str | None, option: str):
    if raw is None:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        raise InvalidRequest(f"invalid {option}", {option: choices}) from None


def order_summary(dbsession, order, steps: list[str]) -> dict:
    from ..lib.acme import orders

    names = domain_names_for_sets(dbsession, [order.unique_fqdn_set_id]).get(
        order.unique_fqdn_set_id, []
    )
    return {
        "id": str(order.id),
        "status": order.status.value,
        "processing_status": order.processing_status.value,
        "processing_strategy": order.processing_strategy.value,
        "acme_account_id": str(order.acme_account_id),
        "domain_names": names,
        "certificate_signed_id": None
        if order.certificate_signed_id is None
        else str(order.certificate_signed_id),
        "order_url": order.order_url,
        "next_step": orders.next_step(order),
        "steps": steps,
    }


@contextlib.contextmanager
def acme_session(cli) -> Iterator[tuple]:
    """(session, AcmeEnv): the session commits at the end (rolls back on error) and only then,
    with no write transaction open, the buffered ACME event log is stored."""
    env = None
    try:
        with cli.session() as session:
            env = cli.acme_env(session)
            yield session, env
    finally:
        if env is not None:
            env.recorder.flush()


def cmd_order_new(cli, args) -> dict:
    from ..lib.acme import order_requests, orders

    req = order_requests.OrderRequest(
        acme_account_id=args.account,
        domain_names_http01=split_domain_names(args.domains or ""),
        domain_names_dns01=split_domain_names(args.dns01 or ""),
        dns_provider_id=args.dns_provider,
        private_key_option="generate"
        if args.key_technology or args.private_key_cycle
        else "account_default",
        private_key_cycle=_choice(PrivateKeyCycle, args.private_key_cycle, "--private-key-cycle")
        or (
            PrivateKeyCycle.SINGLE_CERTIFICATE
            if args.key_technology
            else PrivateKeyCycle.ACCOUNT_KEY_DEFAULT
        ),
        private_key_technology=_choice(KeyTechnology, args.key_technology, "--key-technology"),
        processing_strategy=_choice(ProcessingStrategy, args.strategy, "--strategy"),
        profile=args.profile,
        note=args.note,
    )
    with acme_session(cli) as (session, env):
        order = order_requests.create_local_order(session, req, env)
        steps = orders.start(session, env, order)
        data = order_summary(session, order, steps)
    done = (
        order.certificate_signed_id is not None
        or order.processing_strategy != ProcessingStrategy.PROCESS_SINGLE
    )
    return {"result": "success" if done else "error", "operation": "order-new", "acme_order": data}


def cmd_queue_update(cli, args) -> dict:
    from ..lib.acme import queues

    with acme_session(cli) as (session, env):
        result = queues.update_queue(session, env, ari=not args.no_ari)
    calls = 1
    while result["capped"]:  # one bounded update per transaction until nothing more is due
        with acme_session(cli) as (session, env):
            more = queues.update_queue(session, env, ari=False)
        result = {**result, "queued": result["queued"] + more["queued"], "capped": more["capped"],
                  "remaining": more["remaining"]}  # fmt: skip
        calls += 1
    return {"result": "success", "operation": "queue-update", **result, "calls": calls}


# ---- processing the renewal queue, in one process or several ---------------------------------


def process_queue(
    cli, limit: int, worker: str, take: Callable[[], bool] = lambda: True
) -> list[dict]:
    """Renew due items one by one until none is left, ``limit`` are done, or ``take()`` says no."""
    from ..lib.acme import queues

    results: list[dict] = []
    with acme_session(cli) as (session, env):
        while len(results) < limit and take():
            processed = queues.process_certificates(session, env, limit=1, worker=worker)[
                "processed"
            ]
            if not processed:
                break
            results.extend(processed)
    return results


def _worker(config_uri: str, index: int, budget, out) -> None:
    """One worker process: its own engine and session; claims share ``budget``."""
    from ..lib.acme import queues
    from .cli import Cli

    def take() -> bool:
        with budget.get_lock():
            if budget.value <= 0:
                return False
            budget.value -= 1
            return True

    results: list[dict] = []
    try:
        cli = Cli(config_uri)
        results = process_queue(cli, UNLIMITED, f"{queues.WORKER_ID}/{index}", take)
        cli.dispose()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides the exit status
        results.append(
            {"id": None, "result": "error", "error": f"worker {index}: {type(exc).__name__}: {exc}"}
        )
    out.put(results)


def process_with_workers(cli, workers: int, limit: int) -> list[dict]:
    from ..lib.acme import queues

    if workers <= 1:
        return process_queue(cli, limit, queues.WORKER_ID)
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no engine crosses a fork
    budget, out = context.Value("q", limit), context.Queue()
    processes = [
        context.Process(
            target=_worker, args=(os.path.abspath(cli.config_uri), n, budget, out), daemon=True
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in out.get()]
    for process in processes:
        process.join()
    return results


def _processed(results: list[dict]) -> dict:
    failed = [r for r in results if r.get("result") != "success"]
    return {"processed": len(results), "renewed": len(results) - len(failed), "failed": len(failed),
            "items": results}  # fmt: skip


def _remaining(cli) -> int:
    from ..lib.acme import queues

    with cli.session(write=False) as session:
        return queues.count_queued(session, utcnow())


def cmd_queue_process(cli, args) -> dict:
    results = process_with_workers(cli, args.workers, args.limit or UNLIMITED)
    data = _processed(results)
    return {"result": "success" if not data["failed"] else "partial", "operation": "queue-process", **data,
            "remaining": _remaining(cli)}  # fmt: skip


def cmd_renew_due(cli, args) -> dict:
    update = cmd_queue_update(cli, args)
    data = _processed(process_with_workers(cli, args.workers, args.limit or UNLIMITED))
    return {"result": "success" if not data["failed"] else "partial", "operation": "renew-due",
            "queued": update["queued"], **data, "remaining": _remaining(cli)}  # fmt: skip


# ---- the parser ------------------------------------------------------------------------------


def _workers_options(parser) -> None:
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (default 1)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="renew at most N items in all"
    )


def add_commands(commands, add) -> None:
    order = commands.add_parser("order", help="ACME orders", description="ACME orders")
    order_commands = order.add_subparsers(dest="order_command", required=True, metavar="ACTION")
    new = add(
        order_commands,
        "new",
        cmd_order_new,
        "create an order and process it (process_single by default)",
    )
    new.add_argument("--account", type=int, required=True, metavar="ID", help="the AcmeAccount id")
    new.add_argument("--domains", default="", metavar="A,B", help="names validated with http-01")
    new.add_argument(
        "--dns01", default="", metavar="A,B", help="names validated with dns-01 (wildcards too)"
    )
    new.add_argument(
        "--dns-provider", type=int, metavar="ID", help="the DnsProvider for --dns01 names"
    )
    new.add_argument(
        "--strategy", default="process_single", help="create_order, process_single or process_multi"
    )
    new.add_argument(
        "--key-technology", help="generate a key: RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384"
    )
    new.add_argument(
        "--private-key-cycle",
        help="single_certificate, account_daily, account_weekly, global_daily, ...",
    )
    new.add_argument("--profile", help="a certificate profile the server offers")
    new.add_argument("--note", help="free text kept on the order")
    queue = commands.add_parser("queue", help="the renewal queue", description="the renewal queue")
    queue_commands = queue.add_subparsers(dest="queue_command", required=True, metavar="ACTION")
    update = add(
        queue_commands, "update", cmd_queue_update,
        "queue every certificate due for renewal (renewal.queue_per_update at a time, each committed)"
    )
    update.add_argument(
        "--no-ari", action="store_true", help="skip ACME Renewal Information lookups"
    )
    process = add(queue_commands, "process", cmd_queue_process, "renew queued items that are due")
    _workers_options(process)
    renew = add(commands, "renew-due", cmd_renew_due, "queue update, then renew everything due")
    renew.add_argument(
        "--no-ari", action="store_true", help="skip ACME Renewal Information lookups"
    )
    _workers_options(renew)
