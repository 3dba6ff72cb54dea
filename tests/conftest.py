import pytest

from roret.core.models import AuditEntry
from tests.clients import SecondFactorClient
from tests.factories import World


@pytest.fixture
def client():
    """The suite's test client: logs in through django-axes and completes the second factor for
    users who must give one (tests/clients.py); tests of the second factor use a plain Client."""
    return SecondFactorClient()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def assert_audited():
    """assert_audited(action, actor, citizen=None, obj=None): the newest matching audit entry exists."""

    def check(action, actor, citizen=None, obj=None, channel=None):
        entries = AuditEntry.objects.filter(action=action, actor=actor)
        if citizen is not None:
            entries = entries.filter(citizen_id=citizen.pk)
        if obj is not None:
            entries = entries.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        if channel is not None:
            entries = entries.filter(channel=channel)
        assert entries.exists(), (
            f"no audit entry {action!r} by {actor} for citizen={getattr(citizen, 'pk', None)} obj={obj}; log has: "
            + "; ".join(str(e) for e in AuditEntry.objects.all()[:10]))
        return entries.first()

    return check


def _audit_migration():
    """The migration that defines the audit log's triggers as they are now."""
    import importlib

    return importlib.import_module("roret.core.migrations.0005_audit_chain_alarms_keys")


def _journal_migration():
    import importlib

    return importlib.import_module("roret.journal.migrations.0001_initial")


@pytest.fixture(autouse=True)
def _audit_triggers_allow_test_flush(request):
    """Transactional tests end with a flush (DELETE on SQLite, TRUNCATE on PostgreSQL). The
    append-only trigger rightly refuses the DELETE, so on SQLite it is lifted for the flush
    after a transactional test and put back before the next test."""
    from django.db import connection

    uses_db = "django_db" in request.keywords or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db or connection.vendor != "sqlite":
        yield
        return
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or any(
        m.kwargs.get("transaction") for m in request.node.iter_markers("django_db"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    journal = _journal_migration()
    with connection.cursor() as cursor:
        cursor.execute(_audit_migration().SQLITE_DELETE_TRIGGER)
        for statement in journal.SQLITE_DELETE_TRIGGERS:  # the journal's notes and corrections: the same
            cursor.execute(statement)
    yield
    if transactional:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            for statement in journal.SQLITE_DROP_DELETE_TRIGGERS:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _service_messages_in_english():
    """Service-level tests assert messages by their English msgids; pages are requested through
    the middleware, which switches to Danish per request as a user sees them."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in a lot; Argon2's deliberate slowness is not what the tests are about (the
    production hasher is tested in tests/core/test_login.py with roret.settings' own list)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

