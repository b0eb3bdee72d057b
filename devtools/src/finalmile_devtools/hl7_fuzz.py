"""A seeded HL7 v2 mutator and the runs that feed it to finalmile's front door.

``mutants(seed, count)`` yields the same messages for the same arguments: synthetic RDE^O11
orders and hostile seeds (a bare ``MSH``, an MSH-18 without a codec, MSH-12 versions that are not
numbers, escape bombs, thousands of repetitions), each mutated a few times (bytes flipped,
inserted, deleted, repeated; fields swapped for hostile values; seeds spliced). ``run_in_process``
prepares, plans and acknowledges each one without a database and counts what became of it;
``run_over_mllp`` sends them to a listening server and counts acknowledgements.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator

from finalmile.adapters.hl7v2 import AckCode, Hl7Limits, codec_for, read_header
from finalmile.connectors.mllp.framing import frame, read_frame
from finalmile.intake.acks import acknowledge
from finalmile.intake.plan import outcome_of, plan_message
from finalmile.intake.prepare import prepare_hl7
from finalmile.mapping import Hl7Profile
from finalmile_devtools.synthetic import rde_o11

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
_ACK_CODES = frozenset(code.value for code in AckCode)

_HOSTILE_SEEDS = (
    b"MSH",
    b"MSH\rPID|1",
    b"xxMSH\r",
    b"MSH|",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H1|P|2.5.1||||||ISO-8859-12\rPID|1\r",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H2|P|2.\xc2\xb2\rPID|1\r",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H3|P|2." + b"9" * 5000 + b"\r",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H4|P|2.5.1\r"
    b"PID|1||\\.sp300000000\\\\.sk300000000\\\r",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H5|P|2.5.1\rPID|1||" + b"~" * 20_000 + b"\r",
    b"MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H6|AL|NE|2.5.1|||AL|AL\r",
    "MSH|^~\\&|A|B|C|D|20261120||RDE^O11^RDE_O11|H7|P|2.5.1||||||UNICODE UTF-16\r".encode("utf-16"),
)
_TOKENS = (
    b"|", b"^", b"~", b"\\", b"&", b"\r", b"\n", b"\r\n", b"MSH", b"MSH|^~\\&|", b"ORC|NW|",
    b"PID|", b"RXE|", b"\\.sp9999\\", b"\\.sk" + b"9" * 12 + b"\\", b"\\.br\\", b"\\X0D\\",
    b"\\X00FF\\", b"\\F\\", b"\\E\\", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"2.\xc2\xb2",
    b"ISO-8859-12", b"8859/1", b"UNICODE UTF-8", b"ISO IR192", b"CP1252", b"ER", b"SU", b"NE",
    b"AL", b"CA", b'""', b"9" * 40, b"\t", b"\x7f",
)  # fmt: skip


def seeds() -> list[bytes]:
    """The starting points: valid synthetic orders (original and enhanced mode) and hostile ones."""
    valid = [rde_o11(n) for n in range(1, 9)]
    enhanced = [m.replace(b"|P|2.5.1", b"|P|2.5.1|||AL|ER", 1) for m in valid[:2]]
    return [*valid, *enhanced, *_HOSTILE_SEEDS]


def mutate(message: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    """``message`` changed in 1 to 4 random ways."""
    data = bytearray(message)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(data))
        match rng.randrange(8):
            case 0 if data:
                data[min(at, len(data) - 1)] = rng.randrange(256)
            case 1:
                data[at:at] = rng.choice(_TOKENS)
            case 2:
                del data[at : at + rng.randint(1, 32)]
            case 3:
                chunk = bytes(data[at : at + rng.randint(1, 64)])
                data[at:at] = chunk * rng.randint(1, 50)
            case 4:
                del data[at:]
            case 5:
                other = rng.choice(pool)
                cut = rng.randint(0, len(other))
                data[at:] = other[cut:]
            case 6:
                fields = bytes(data).split(b"|")
                if len(fields) > 1:
                    fields[rng.randrange(1, len(fields))] = rng.choice(_TOKENS)
                    data = bytearray(b"|".join(fields))
            case _:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def mutants(seed: int, count: int) -> Iterator[bytes]:
    """``count`` messages, the same for the same ``seed``; one in ten is a seed unchanged."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test input, not cryptography
    pool = seeds()
    for _ in range(count):
        base = rng.choice(pool)
        yield base if rng.random() < 0.1 else mutate(base, rng, pool)


def ack_code(ack: bytes, charset: str) -> str | None:
    """MSA-1 of an encoded ACK (decoded in the charset its MSH-18 names), or None."""
    text = ack.decode(codec_for(charset) or "utf-8", errors="replace") if charset else None
    text = text if text and "MSA" in text else ack.decode("utf-8", errors="replace")
    for segment in text.split("\r"):
        if segment.startswith("MSA"):
            fields = segment.split(segment[3:4] if len(segment) > 3 else "|")
            return fields[1] if len(fields) > 1 else None
    return None


def run_in_process(
    seed: int, count: int, *, limits: Hl7Limits | None = None
) -> tuple[Counter[str], list[tuple[int, str]]]:
    """Prepare, plan and acknowledge ``count`` mutants; the counts of outcomes and ACK codes,
    and the (case number, exception type) of each case that raised or got an unreadable ACK."""
    profile, counts, failures = Hl7Profile(), Counter[str](), []
    for number, raw in enumerate(mutants(seed, count)):
        try:
            prepared = prepare_hl7(
                raw,
                connector="fuzz",
                profile=profile,
                received_at=NOW,
                limits=limits or Hl7Limits(),
            )
            outcome = outcome_of(plan_message(prepared, originals={}, orders={}))
            acks = acknowledge(prepared.header, outcome)
        except Exception as exc:  # counted, not raised: the run reports every failure
            failures.append((number, type(exc).__name__))
            continue
        counts[f"outcome {outcome.kind.value}"] += 1
        charset = prepared.header.charset if prepared.header else ""
        codes = [ack_code(ack, charset) for ack in acks]
        if not codes:
            counts["no ACK asked (enhanced mode NE)"] += 1
        for code in codes:
            if code not in _ACK_CODES:
                failures.append((number, "unreadable ACK"))
            counts[f"ACK {code}"] += 1
    return counts, failures


async def run_over_mllp(
    host: str,
    port: int,
    *,
    seed: int,
    count: int,
    connections: int = 16,
    wait_seconds: float = 30.0,
    report: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Send ``count`` mutants (MLLP block characters removed) over ``connections`` sockets, one
    at a time each, and count the ACKs, the frames left unanswered and closed connections;
    ``report`` is called with the number of messages sent so far about every tenth of the run."""
    messages = [
        m.replace(b"\x0b", b"").replace(b"\x1c", b"") or b"MSH" for m in mutants(seed, count)
    ]
    counts = Counter[str]()
    sent, step = 0, max(count // 10, 1)

    def progressed() -> None:
        nonlocal sent
        sent += 1
        if report is not None and (sent % step == 0 or sent == count):
            report(sent)

    async def sender(share: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for raw in share:
                progressed()
                writer.write(frame(raw))
                await writer.drain()
                asked, certain = _acks_asked(raw)
                try:
                    async with asyncio.timeout(wait_seconds if certain else 2.0):
                        ack = await read_frame(reader, max_bytes=1 << 20)
                except TimeoutError:
                    counts["no ACK" if certain else "no ACK (none due: NE, ER or SU)"] += 1
                    continue
                if ack is None:
                    counts["connection closed"] += 1
                    reader, writer = await asyncio.open_connection(host, port)
                    continue
                header = read_header(raw)
                charset = header.charset if header else ""
                code = ack_code(ack, charset)
                counts[f"ACK {code}"] += 1
                if code == AckCode.CA and asked > 1:  # an application ACK may follow (MSH-16)
                    then = await _maybe_frame(reader)
                    if then is not None:
                        counts[f"ACK {ack_code(then, charset)}"] += 1
        finally:
            writer.close()

    shares = [messages[i::connections] for i in range(connections)]
    await asyncio.gather(*(sender(share) for share in shares))
    return counts


def _acks_asked(raw: bytes) -> tuple[int, bool]:
    """At most how many ACKs the header asks for, and whether at least one is due whatever the
    outcome (original mode, or AL or an unknown value in MSH-15 or MSH-16)."""
    header = read_header(raw)
    if header is None or not (header.accept_ack_type or header.application_ack_type):
        return 1, True
    asked = [v.strip().upper() for v in (header.accept_ack_type, header.application_ack_type)]
    most = sum(1 for v in asked if v not in ("", "NE"))
    return most, any(v not in ("", "NE", "ER", "SU") for v in asked)


async def _maybe_frame(reader: asyncio.StreamReader) -> bytes | None:
    try:
        # Both ACKs of one message are written in one burst: a short wait is enough.
        async with asyncio.timeout(0.2):
            return await read_frame(reader, max_bytes=1 << 20)
    except TimeoutError:
        return None
