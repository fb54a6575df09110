"""The imap connector against a real Dovecot, as ratios to plain tools measured in the same run.

    .venv/bin/python bench/imap.py [--n 10000] [--keep] [--no-helper]

Fills a Dovecot Maildir with N realistic messages (written straight into the Maildir: sizes 2-50 kB
around 6 kB, subjects in several languages and charsets, attachments, HTML, replies), warms the
server's index, then times, each step in its own process:

  (a) transport  a plain imapclient loop fetching raw bodies in batches of 500 (the baseline)
  (b) collect    Banco's first `collect` of the mailbox into a new shop, then (apart) indexing
                 what it stored for search, as the next search or the routine does
  (c) no change  a second `collect` with nothing new (in-process time, and the whole `banco
                 collect` command as the maker runs it)
  (d) mbsync     mbsync with its default settings pulling the mailbox to a Maildir (if installed)

It prints messages per second, peak RSS of each step's process (for the collect, Banco + its helper
process), the collect's peak memory of both processes together (PSS), and the ratios b/a and b/d.
Targets on a 2-core machine: b >= 0.35 a and b >= d; c < 0.5 s at 100k; peak RSS < 100 MB.
``--no-helper`` reads the mailbox in Banco's own process, as on a system without ``fork``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import quopri
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from multiprocessing import Pool
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dovecot import Dovecot, MailUser  # noqa: E402

BATCH = 500
PASSWORD = "bench-password"
ENV = "BANCO_BENCH_PASSWORD"

# --- the corpus ----------------------------------------------------------------------------------
FIRST = [
    "Anna",
    "Marco",
    "Giulia",
    "Luca",
    "Sophie",
    "Jean",
    "Emma",
    "Paul",
    "Olga",
    "Yuki",
    "Zofia",
    "João",
]
LAST = [
    "Rossi",
    "Bianchi",
    "Martin",
    "Dubois",
    "Smith",
    "Brown",
    "Ivanova",
    "Tanaka",
    "Nowak",
    "Silva",
]
ASCII_SUBJECTS = [
    "Custom order: six blue mugs",
    "Question about your wedding favours",
    "Quote for a portrait commission",
    "Order B-{ref:04d}: change of colour",
    "Delivery date for my vase",
    "Can you make this in green?",
]
UTF8_SUBJECTS = [
    "Bestellung: sechs blaue Tassen für Weihnachten",
    "Commande spéciale : assiettes peintes à la main",
    "Заказ: шесть кружек ручной работы",
    "注文について：青いマグカップ",
    "Zamówienie: ręcznie malowane talerze",
    "Encomenda: caneca azul para o casamento",
]
LATIN1_SUBJECTS = ["Tazze dipinte a mano, è possibile?", "Café: commande de bols", "Größe der Vase"]
SENTENCES = [
    "ciao vorrei sei tazze blu per natale grazie mille la consegna entro venerdì",
    "hello could you make a portrait of my dog in watercolour the size would be thirty",
    "bonjour je voudrais commander des assiettes peintes pour un mariage en juin merci",
]
WORDS = " ".join(SENTENCES).split()


def _triangular_size(rng: random.Random) -> int:
    return int(rng.triangular(2_000, 50_000, 6_000))


def _body(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines) + "\n"


def _encoded_subject(rng: random.Random, n: int) -> tuple[str, str]:
    """(header value, charset of the body) for message ``n``."""
    pick = rng.random()
    if pick < 0.60:
        return rng.choice(ASCII_SUBJECTS).format(ref=n % 9000 + 1), "us-ascii"
    if pick < 0.85:
        text = rng.choice(UTF8_SUBJECTS)
        return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?=", "utf-8"
    text = rng.choice(LATIN1_SUBJECTS)
    encoded = quopri.encodestring(text.encode("latin-1"), header=True).decode()
    return f"=?iso-8859-1?q?{encoded}?=", "iso-8859-1"


def message(n: int, now: float) -> tuple[bytes, float]:
    """Message ``n`` of the corpus (the same bytes every run) and when it arrived."""
    rng = random.Random(n)
    customer = rng.randrange(2_000)
    name = f"{FIRST[customer % len(FIRST)]} {LAST[customer % len(LAST)]}"
    address = f"customer{customer}@example.{['com', 'it', 'fr', 'de'][customer % 4]}"
    when = now - rng.uniform(0, 80) * 86_400
    subject, charset = _encoded_subject(rng, n)
    headers = [
        f"Return-Path: <{address}>",
        "Received: from mx.example.net (mx.example.net [192.0.2.1]) by mail.shop.example"
        f" with ESMTPS id {n:08x}; {format_datetime(_utc(when))}",
        f"From: {name} <{address}>",
        "To: Giulia Ceramiche <giulia@shop.example>",
        f"Subject: {subject}",
        f"Date: {format_datetime(_utc(when))}",
        f"Message-ID: <bench.{n}.{customer}@example.com>",
        "MIME-Version: 1.0",
    ]
    if rng.random() < 0.30 and n > 0:
        earlier = rng.randrange(max(0, n - 500), n)
        headers += [
            f"In-Reply-To: <bench.{earlier}.x@example.com>",
            f"References: <bench.{max(0, earlier - 1)}.x@example.com> <bench.{earlier}.x@example.com>",
        ]
    size = _triangular_size(rng)
    kind = rng.random()
    if charset == "iso-8859-1":
        text = _body(rng, size).replace("venerdì", "vendredi é")
        body_charset = "iso-8859-1"
    else:
        text = _body(rng, size)
        body_charset = "utf-8"
    if kind < 0.20:
        attachment = base64.encodebytes(rng.randbytes(rng.randrange(1_000, 8_000))).decode()
        qp = quopri.encodestring(text.encode(body_charset, "replace")).decode()
        headers.append('Content-Type: multipart/mixed; boundary="=_mixed"')
        body = (
            f"--=_mixed\nContent-Type: text/plain; charset={body_charset}\n"
            f"Content-Transfer-Encoding: quoted-printable\n\n{qp}\n"
            f'--=_mixed\nContent-Type: application/pdf; name="sketch-{n}.pdf"\n'
            f'Content-Disposition: attachment; filename="sketch-{n}.pdf"\n'
            f"Content-Transfer-Encoding: base64\n\n{attachment}--=_mixed--\n"
        )
    elif kind < 0.35:
        html = "<html><body><p>" + text.replace("\n", "</p>\n<p>") + "</p></body></html>\n"
        headers.append('Content-Type: multipart/alternative; boundary="=_alt"')
        body = (
            f"--=_alt\nContent-Type: text/plain; charset={body_charset}\n"
            f"Content-Transfer-Encoding: 8bit\n\n{text}\n"
            f"--=_alt\nContent-Type: text/html; charset={body_charset}\n"
            f"Content-Transfer-Encoding: 8bit\n\n{html}\n--=_alt--\n"
        )
    else:
        headers += [
            f"Content-Type: text/plain; charset={body_charset}",
            "Content-Transfer-Encoding: 8bit",
        ]
        body = text
    data = ("\n".join(headers) + "\n\n" + body).encode(body_charset, "replace")
    return data, when


def _utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def _write_part(args: tuple[str, int, int, int, int, float]) -> int:
    """Write messages ``start..stop`` into ``cur`` as Dovecot names them; returns bytes written."""
    cur, start, stop, uid, gid, now = args
    written = 0
    for n in range(start, stop):
        data, when = message(n, now)
        lines = data.count(b"\n")
        flags = "S" if n % 10 < 7 else ""  # most of the mail was read already
        name = f"{int(when)}.M{n}P{os.getpid()}.bench,S={len(data)},W={len(data) + lines}:2,{flags}"
        path = os.path.join(cur, name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (when, when))
        os.chown(path, uid, gid)
        written += len(data)
    return written


def fill(server: Dovecot, user: MailUser, n: int) -> tuple[float, int]:
    """Write the corpus with two processes; (seconds, bytes on disk)."""
    started = time.monotonic()
    now = time.time()
    step = 2_000
    parts = [
        (
            str(user.maildir / "cur"),
            a,
            min(a + step, n),
            server.owner.pw_uid,
            server.owner.pw_gid,
            now,
        )
        for a in range(0, n, step)
    ]
    with Pool(2) as pool:
        written = sum(pool.map(_write_part, parts))
    return time.monotonic() - started, written


# --- the steps, each run in a process of its own ------------------------------------------------
def step_transport(config: dict[str, Any]) -> dict[str, Any]:
    from imapclient import IMAPClient

    started = time.monotonic()
    client = IMAPClient("127.0.0.1", port=config["port"], ssl=False)
    client.login(config["user"], PASSWORD)
    client.select_folder("INBOX", readonly=True)
    uids = client.search("ALL")
    count = size = 0
    for start in range(0, len(uids), BATCH):
        answer = client.fetch(uids[start : start + BATCH], ["BODY.PEEK[]"])
        for data in answer.values():
            count += 1
            size += len(data[b"BODY[]"])
    client.logout()
    return {"seconds": time.monotonic() - started, "messages": count, "bytes": size}


def step_collect(config: dict[str, Any]) -> dict[str, Any]:
    from banco.connectors.imap import ImapConnector
    from banco.inbox.collect.sync import collect
    from banco.inbox.shop import Shop

    if "helper_from" in config:
        ImapConnector.HELPER_FROM = config["helper_from"]
    opening = time.monotonic()
    shop = Shop.open(Path(config["home"]))
    memory = MemoryWatch()
    started = time.monotonic()
    with memory:
        [result] = collect(shop)
    seconds = time.monotonic() - started
    stored = shop.store.scalar("select count(*) from messages")
    shop.close()
    if not result.ok:
        raise SystemExit(f"collect failed: {result.error}")
    return {
        "seconds": seconds,
        "open_seconds": started - opening,
        "messages": result.counts.new,
        "stored": stored,
        "helper_rss_kb": _children_rss()["child_rss_kb"],
        "pss_kb": memory.peak_kb,
    }


class MemoryWatch:
    """The peak of this process's and its children's memory together, as PSS (pages shared by
    the forked helper and Banco count once between them), sampled every 100 ms (reading it costs
    the kernel time too)."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> None:
        self.thread.start()

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    def _watch(self) -> None:
        import multiprocessing

        while not self.done.wait(0.1):
            pids = [os.getpid(), *(p.pid for p in multiprocessing.active_children())]
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in pids if pid))


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass  # the helper has just ended
    return 0


def step_index(config: dict[str, Any]) -> dict[str, Any]:
    """Indexing for search what the first collect stored (done before the next search, or by the
    routine after its collect)."""
    from banco.inbox.shop import Shop
    from banco.inbox.store.search_index import catch_up

    shop = Shop.open(Path(config["home"]))
    started = time.monotonic()
    indexed = catch_up(shop.store)
    seconds = time.monotonic() - started
    shop.close()
    return {"seconds": seconds, "messages": indexed}


def step_command(config: dict[str, Any]) -> dict[str, Any]:
    """`banco collect` as the maker runs it: a whole process, from start to exit."""
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from banco.inbox.cli.main import main; main()",
            "--home",
            config["home"],
            "collect",
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"banco collect failed: {done.stdout}{done.stderr}")
    return {"seconds": seconds, "messages": 0, "output": done.stdout.strip(), **_children_rss()}


def step_mbsync(config: dict[str, Any]) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(
        ["mbsync", "-q", "-c", config["mbsyncrc"], "-a"], capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"mbsync failed: {done.stderr}")
    inbox = Path(config["mbsync_dir"]) / "INBOX"
    count = sum(1 for sub in ("cur", "new") for _ in (inbox / sub).iterdir())
    return {"seconds": seconds, "messages": count, **_children_rss()}


STEPS = {
    "transport": step_transport,
    "collect": step_collect,
    "index": step_index,
    "command": step_command,
    "mbsync": step_mbsync,
}


def _children_rss() -> dict[str, int]:
    return {"child_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def run_step(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """Run one step in a fresh Python process; its result plus the process's peak RSS."""
    # Each step starts with the disk idle: the writes of the step before (the Maildir filled,
    # mbsync's copy, the first collect's store) are otherwise still going out during it.
    os.sync()
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--config", json.dumps(config)],
        capture_output=True,
        text=True,
        env={**os.environ, ENV: PASSWORD},
    )
    if done.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _step_main(name: str, config: str) -> None:
    result = STEPS[name](json.loads(config))
    result["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


# --- the run ---------------------------------------------------------------------------------------
def warm(server: Dovecot, user: MailUser) -> float:
    """Let Dovecot index the new mail (its first SELECT does), so no step pays for it."""
    from imapclient import IMAPClient

    started = time.monotonic()
    with IMAPClient("127.0.0.1", port=server.imap_port, ssl=False) as client:
        client.login(user.name, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        for start in range(0, len(uids), 5_000):
            client.fetch(uids[start : start + 5_000], ["RFC822.SIZE", "INTERNALDATE"])
    return time.monotonic() - started


def write_shop(home: Path, server: Dovecot, user: MailUser) -> None:
    home.mkdir(parents=True)
    (home / "banco.toml").write_text(
        '[shop]\nname = "Bench"\naddresses = ["giulia@shop.example"]\n'
        f'[[accounts]]\nname = "mail"\nkind = "imap"\nhost = "127.0.0.1"\nport = {server.imap_port}\n'
        f'security = "none"\nusername = "{user.name}"\npassword = {{env = "{ENV}"}}\n'
    )


def write_mbsyncrc(path: Path, target: Path, server: Dovecot, user: MailUser) -> None:
    """mbsync with its default settings (FSync yes), reading only."""
    path.write_text(
        f"IMAPAccount bench\nHost 127.0.0.1\nPort {server.imap_port}\nUser {user.name}\n"
        f"Pass {PASSWORD}\nSSLType None\nAuthMechs LOGIN\n\n"
        "IMAPStore remote\nAccount bench\n\n"
        f"MaildirStore local\nPath {target}/\nInbox {target}/INBOX\n\n"
        "Channel pull\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSync Pull\nSyncState *\n"
    )


def report(n: int, results: dict[str, dict[str, Any]], written: int) -> None:
    def rate(step: str) -> float:
        r = results[step]
        return float(r["messages"] / r["seconds"]) if r["seconds"] else 0.0

    def rss(step: str) -> str:
        r = results[step]
        kb = max(r.get("rss_kb", 0), r.get("child_rss_kb", 0))
        helper = r.get("helper_rss_kb", 0)
        return f"{kb / 1024:.0f} MB" + (f" + {helper / 1024:.0f} MB" if helper else "")

    collect_pss = results["collect"].get("pss_kb", 0) / 1024

    wire = results["transport"]["bytes"]
    print(f"\n{n} messages, {written / 2**20:.0f} MB on disk, {wire / 2**20:.0f} MB on the wire\n")
    print(f"{'step':<34}{'seconds':>9}{'msg/s':>9}{'peak RSS':>17}")
    rows = [
        ("(a) imapclient fetch, batches of 500", "transport"),
        ("(b) banco first collect", "collect"),
        ("    then indexing it for search", "index"),
        ("(c) banco collect, nothing new", "unchanged"),
        ("(c) `banco collect` command, whole", "command"),
        ("(d) mbsync, default settings", "mbsync"),
    ]
    for label, step in rows:
        if step not in results:
            continue
        r = results[step]
        speed = f"{rate(step):9.0f}" if r["messages"] else f"{'':>9}"
        print(f"{label:<34}{r['seconds']:9.3f}{speed}{rss(step):>17}")
    print()
    print(
        f"    the first collect's peak memory, Banco and its helper together (PSS, shared pages"
        f" counted once): {collect_pss:.0f} MB   (target < 100 MB)\n"
    )
    print(f"b/a = {rate('collect') / rate('transport'):.2f}   (target >= 0.35, aim 0.5)")
    both = results["collect"]["messages"] / (
        results["collect"]["seconds"] + results["index"]["seconds"]
    )
    print(
        f"      collect and search index together: {both:.0f} msg/s, {both / rate('transport'):.2f} of a"
    )
    if "mbsync" in results:
        print(f"b/d = {rate('collect') / rate('mbsync'):.2f}   (target >= 1.0, aim 1.5)")
    unchanged = results["unchanged"]
    print(f"c   = {unchanged['seconds'] * 1000:.0f} ms in collect() (opening the shop:"
          f" {unchanged['open_seconds'] * 1000:.0f} ms), {results['command']['seconds'] * 1000:.0f} ms"
          " for the whole command   (target < 500 ms)")  # fmt: skip
    load = os.getloadavg()
    print(f"\nload average now {load[0]:.1f} (1 min), {load[2]:.1f} (15 min) on {os.cpu_count()} cores:"
          " other work on the machine slows every step")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="messages in the mailbox")
    parser.add_argument("--keep", action="store_true", help="keep the server folder and the shop")
    parser.add_argument(
        "--no-helper", action="store_true", help="read the mailbox in Banco's own process"
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step_main(args.step, args.config)
        return

    server = Dovecot.create()
    work = Path(tempfile.mkdtemp(prefix="banco-bench-"))
    try:
        server.start()
        user = server.add_user("bench", PASSWORD)
        print(f"Writing {args.n} messages into {user.maildir} ...", flush=True)
        seconds, written = fill(server, user, args.n)
        print(
            f"  {seconds:.1f} s; Dovecot indexes them in {warm(server, user):.2f} s\n", flush=True
        )
        config = {
            "port": server.imap_port,
            "user": user.name,
            "home": str(work / "shop"),
            **({"helper_from": None} if args.no_helper else {}),
        }
        write_shop(work / "shop", server, user)
        results: dict[str, dict[str, Any]] = {}
        results["transport"] = run_step("transport", config)
        if shutil.which("mbsync"):
            (work / "mbsync").mkdir()
            write_mbsyncrc(work / "mbsyncrc", work / "mbsync", server, user)
            config |= {"mbsyncrc": str(work / "mbsyncrc"), "mbsync_dir": str(work / "mbsync")}
            results["mbsync"] = run_step("mbsync", config)
        results["collect"] = run_step("collect", config)
        results["index"] = run_step("index", config)
        results["unchanged"] = run_step("collect", config)
        results["command"] = run_step("command", config)
        report(args.n, results, written)
    finally:
        if args.keep:
            print(f"\nKept {server.root} and {work}")
            server.stop()
        else:
            server.remove()
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
