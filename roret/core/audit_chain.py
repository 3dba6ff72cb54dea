"""The audit log's hash chain: tamper evidence that does not rest on the database's triggers.

Every entry stores ``prev_hash``, the hash of the entry before it, and ``row_hash``, a keyed
hash (HMAC-SHA256 with ``settings.AUDIT_CHAIN_KEY``) of its own content and ``prev_hash``. The
hash is computed when the entry is written, under a lock on the one :class:`AuditChainHead` row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``), so
concurrent writers append one after the other and the chain follows the order of the ids.

:func:`verify` walks the chain and names the first entry that was edited (its hash does not
match its content), inserted (idem, and the next entry does not follow it) or deleted (the next
entry does not follow the one before it), and entries deleted from the end (the head names an
entry that is gone). The hash is keyed, so someone who can write to the database but does not
hold the key cannot recompute the chain after an edit. Against someone who holds the key too,
an auditor keeps the head (``roret audit head``) outside roret and checks it later with
``roret audit verify --anchor ID:HASH``.

Retention (roret/core/retention.py) may delete the oldest entries: it records the last deleted
entry's id and hash as the head's checkpoint, where the chain then starts, and writes an audit
entry saying so, which is itself in the chain; :func:`verify` accepts a checkpoint only with
that entry.

The canonical form (``VERSION``, ``HASHED_FIELDS``, :func:`canonical`) must never change for
existing entries: a new form needs a new version number stored beside the entries.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import router, transaction
from django.utils import timezone

from roret.core.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEntry

VERSION = 1
HASHED_FIELDS = ("at", "actor_id", "actor_name", "actor_role", "action", "citizen_id", "citizen_count",
                 "object_type", "object_id", "summary", "channel", "reason", "before", "after")
JSON_FIELDS = ("before", "after")
#: The object type of the entry retention writes when it deletes old entries (the checkpoint's proof).
PURGE_OBJECT = "core.auditentry"


def chain_key() -> bytes:
    key = settings.AUDIT_CHAIN_KEY
    return key.encode() if isinstance(key, str) else bytes(key)


def _normalised(name: str, value):
    """The value as the database gives it back, so a hash computed before the INSERT equals the
    hash of the row read later (JSON keys become strings, tuples lists; ids whole numbers)."""
    if name in JSON_FIELDS:
        return None if value is None else json.loads(json.dumps(value))
    return AuditEntry._meta.get_field(name).to_python(value)


def canonical(values: dict, prev_hash: str) -> bytes:
    """The bytes that are hashed: the content fields and the previous hash as sorted JSON."""
    payload = {"v": VERSION, "prev": prev_hash}
    for name in HASHED_FIELDS:
        value = values[name]
        if name == "at":
            value = value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(values: dict, prev_hash: str, key: bytes | None = None) -> str:
    return hmac.new(key if key is not None else chain_key(), canonical(values, prev_hash), hashlib.sha256).hexdigest()


def _seal(entry: AuditEntry, prev_hash: str, key: bytes) -> str:
    if entry.at is None:
        entry.at = timezone.now()
    values = {}
    for name in HASHED_FIELDS:
        value = _normalised(name, getattr(entry, name))
        setattr(entry, name, value)
        values[name] = value
    entry.prev_hash = prev_hash
    entry.row_hash = entry_hash(values, prev_hash, key)
    return entry.row_hash


def _locked_head(using: str) -> AuditChainHead:
    """The chain's head row, locked until the caller's transaction ends (created when missing:
    after a test flush; a head lost any other way shows as a break in :func:`verify`)."""
    head = AuditChainHead.objects.using(using).select_for_update().filter(pk=1).first()
    if head is None:
        head, _created = AuditChainHead.objects.using(using).select_for_update().get_or_create(pk=1)
    return head


def append(entry: AuditEntry, insert: Callable[[], None]) -> None:
    """Chain ``entry`` to the head and ``insert`` it, under the head's lock (one transaction)."""
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using):
        head = _locked_head(using)
        _seal(entry, head.last_hash, chain_key())
        insert()
        AuditChainHead.objects.using(using).filter(pk=1).update(last_id=entry.pk, last_hash=entry.row_hash)


def append_many(manager, entries: list[AuditEntry], *args, **kwargs) -> list[AuditEntry]:
    """Chain and insert many entries in list order (``AuditEntry.objects.bulk_create``)."""
    if not entries:
        return entries
    using = manager.db
    with transaction.atomic(using=using):
        head = _locked_head(using)
        prev, key = head.last_hash, chain_key()
        for entry in entries:
            prev = _seal(entry, prev, key)
        created = manager.get_queryset().bulk_create(entries, *args, **kwargs)
        ids = [entry.pk for entry in created]
        if None in ids:  # a backend that does not return ids: they are the next ones, in order
            ids = list(AuditEntry.objects.using(using).filter(pk__gt=head.last_id).order_by("pk")
                       .values_list("pk", flat=True)[:len(created)])
        if len(ids) != len(created) or ids != sorted(ids) or (ids and ids[0] <= head.last_id):
            raise RuntimeError("audit entries were not given increasing ids in the order they were chained")
        AuditChainHead.objects.using(using).filter(pk=1).update(last_id=ids[-1], last_hash=prev)
    return created


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    kind: str  # edited, broken, end, checkpoint, anchor, order
    text: str

    def __str__(self):
        return self.text


@dataclass
class Verification:
    checked: int = 0
    first_id: int | None = None
    last_id: int | None = None
    last_hash: str = GENESIS_HASH
    checkpoint_id: int = 0
    problems: list[Problem] = field(default_factory=list)
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


BATCH = 5000
MAX_PROBLEMS = 50


def verify(*, progress: Callable[[int, int], None] | None = None, anchors: Iterable[tuple[int, str]] = (),
           using: str = "default", key: bytes | None = None) -> Verification:
    """Walk the chain from its start (the checkpoint) to its head and report what breaks it.

    ``anchors`` are (id, hash) pairs kept outside roret (``roret audit head``): each must still be
    in the chain with that hash. ``progress(done, total)`` is called as the walk goes."""
    key = key if key is not None else chain_key()
    head = AuditChainHead.objects.using(using).filter(pk=1).first() or AuditChainHead(pk=1)
    result = Verification(checkpoint_id=head.checkpoint_id)
    anchors = dict(anchors)
    seen_anchors: set[int] = set()
    entries = AuditEntry.objects.using(using)
    total = entries.count()
    expected_prev = head.checkpoint_hash if head.checkpoint_id else GENESIS_HASH
    purge_proof = False
    previous_id = None
    last_pk = head.checkpoint_id if head.checkpoint_id else -1
    columns = ("id", *HASHED_FIELDS, "prev_hash", "row_hash")

    def problem(entry_id, kind, text):
        if len(result.problems) < MAX_PROBLEMS:
            result.problems.append(Problem(entry_id, kind, text))

    # Entries at or below the checkpoint should be gone: one still there was not deleted by
    # retention, or the checkpoint was moved forward over it.
    leftover = entries.filter(pk__lte=head.checkpoint_id).order_by("pk").values_list("pk", flat=True).first() \
        if head.checkpoint_id else None
    if leftover is not None:
        problem(leftover, "checkpoint", f"entry #{leftover} lies before the checkpoint (#{head.checkpoint_id}) "
                                        "but is still there: the checkpoint was moved")
    while True:
        rows = list(entries.filter(pk__gt=last_pk).order_by("pk").values_list(*columns)[:BATCH])
        if not rows:
            break
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            pk = values["id"]
            if result.first_id is None:
                result.first_id = pk
            if values["prev_hash"] != expected_prev:
                after = f"#{previous_id}" if previous_id is not None else (
                    f"the checkpoint (#{head.checkpoint_id})" if head.checkpoint_id else "the start of the log")
                problem(pk, "broken", f"entry #{pk} does not follow {after}: an entry between them was deleted, "
                                      f"or #{pk} was inserted or its link edited")
            if not hmac.compare_digest(entry_hash(values, values["prev_hash"], key), values["row_hash"] or ""):
                problem(pk, "edited", f"entry #{pk} does not match its hash: it was edited, or inserted "
                                      "without the chain key")
            if pk in anchors:
                seen_anchors.add(pk)
                if anchors[pk] != values["row_hash"]:
                    problem(pk, "anchor", f"entry #{pk} has not the hash kept outside roret "
                                          f"({anchors[pk][:16]}…): the chain was rewritten from there")
            if (values["action"] == AuditAction.DELETE and values["object_type"] == PURGE_OBJECT
                    and isinstance(values["after"], dict)
                    and values["after"].get("checkpoint_id") == head.checkpoint_id
                    and values["after"].get("checkpoint_hash") == head.checkpoint_hash):
                purge_proof = True
            expected_prev = values["row_hash"]
            previous_id = pk
            result.checked += 1
        last_pk = rows[-1][0]
        if progress is not None:
            progress(result.checked, total)
    result.last_id, result.last_hash = previous_id, expected_prev
    if (previous_id or 0) != head.last_id or (previous_id is not None and expected_prev != head.last_hash):
        if previous_id is not None and previous_id > head.last_id:
            problem(previous_id, "end", f"the log goes on after the chain's head (#{head.last_id}) to #{previous_id}: "
                                        "entries were added around the chain")
        else:
            problem(previous_id, "end", f"the chain's head names entry #{head.last_id}, but the log ends at "
                                        f"#{previous_id or 0}: entries at the end were deleted, or the head edited")
    if head.checkpoint_id and not purge_proof:
        problem(None, "checkpoint", f"the checkpoint (entries up to #{head.checkpoint_id} deleted) is not backed "
                                    "by a retention entry in the chain: entries were deleted at the start")
    for pk in sorted(set(anchors) - seen_anchors):
        problem(pk, "anchor", f"entry #{pk}, kept outside roret as an anchor, is no longer in the log")
    result.anchors_checked = len(anchors)
    return result


def head() -> AuditChainHead:
    return AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(pk=1)


def key_matches_recent(limit: int = 5) -> bool | None:
    """Whether the configured key reproduces the hash of one of the newest entries (None: no
    chained entries yet). A wrong key fails them all; a tampered newest entry fails only itself."""
    rows = list(AuditEntry.objects.exclude(row_hash="").order_by("-pk").values(*HASHED_FIELDS, "prev_hash",
                                                                                 "row_hash")[:limit])
    if not rows:
        return None
    key = chain_key()
    return any(hmac.compare_digest(entry_hash(r, r["prev_hash"], key), r["row_hash"]) for r in rows)
