"""The one error body of the API, for every refusal: ``{"detail": "...", "errors": [{"field": ...,
"message": ...}]}``. ``detail`` is always there; ``errors`` names the fields when the refusal is about
fields (a body that does not match the schema, or a service's ValidationError), else it is empty.

The handlers are installed on the api in :func:`install`: a service's ``ValidationError`` (422, with
its message dict as ``errors``), django-ninja's schema ``ValidationError`` (422, one entry per
field), ``HttpError`` (its status: 400 for a body that is not JSON, 401, 403, 404 ...)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError

INVALID = "Forespørgslen kan ikke udføres, som den er sendt: se errors."
NOT_SCHEMA = "Forespørgslens indhold svarer ikke til skemaet (docs/api.md): se errors."
# Statuses every write can answer besides its success (schema and service errors are 422; 400 is a
# body that is not JSON or carries a value no field accepts, roret.core.input_guard).
REFUSALS = (400, 401, 403, 404, 422)


class FieldError(Schema):
    field: str = Field(description="The body's field (dotted for a nested one, e.g. goal_progress.0.progress).")
    message: str


class Error(Schema):
    """Every refusal's body."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


def body(detail: str, errors=()) -> dict:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors]}


def refusals() -> dict:
    """The refusal statuses for an operation's ``response=``."""
    return {status: Error for status in REFUSALS}


def service_errors(exc: DjangoValidationError) -> list[tuple[str, str]]:
    """(field, message) for each of a service's messages; a message for no field has none."""
    if hasattr(exc, "error_dict"):
        return [(field, message) for field, messages in exc.message_dict.items() if field != NON_FIELD_ERRORS
                for message in messages]
    return []


def _field(loc) -> str:
    # ("body", "payload", "answers", 0) -> "answers.0"; ("path", "citizen_id") -> "citizen_id"
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] or parts[1:]
    elif parts:
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(DjangoValidationError)
    def service_refused(request, exc):
        """A service refused the input: 422 with the service's messages on their fields."""
        fields = service_errors(exc)
        loose = [m for m in exc.messages if m not in {message for _f, message in fields}]
        return api.create_response(request, body(" ".join(loose) or INVALID, fields), status=422)

    @api.exception_handler(SchemaError)
    def schema_refused(request, exc):
        return api.create_response(
            request, body(NOT_SCHEMA, [(_field(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors]),
            status=422)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return api.create_response(request, body(str(exc)), status=exc.status_code)


def renamed(exc: DjangoValidationError, names: dict) -> DjangoValidationError:
    """The service's error with its field names as the API body names them (``grant`` -> ``grant_id``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError({names.get(field, field): errors for field, errors in exc.error_dict.items()})


#: What each refusal means, for the schema (every operation declares each it can answer).
REFUSAL_TEXT = {
    400: "A body that is not JSON, a value no field accepts, or a malformed Idempotency-Key header.",
    401: "No API token or session, or a token that is unknown, revoked or expired.",
    403: "Your role may not do this (or a role that must give a reason for access gave none).",
    404: "Not found, or outside your scope (the same answer: a record's existence is not revealed).",
    409: "A request with the same Idempotency-Key is still running.",
    422: "A parameter or the body is refused: errors names each field.",
}
#: The refusals of a safe operation; an unsafe one can also answer 409 (idempotency.py).
READ_STATUSES = (400, 401, 403, 404, 422)
WRITE_STATUSES = (*READ_STATUSES, 409)


def document(schema: dict) -> dict:
    """Declare every refusal an operation can answer, with the one error body, where the operation
    has not declared it itself: any operation can be refused authentication (401), its role (403),
    its scope (404), its input (400, 422); an unsafe one a key still in use (409)."""
    ref = {"$ref": "#/components/schemas/Error"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Error, FieldError):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        found.pop("$defs", None)
        components.setdefault(model.__name__, found)
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            statuses = WRITE_STATUSES if method.upper() in {"POST", "PUT", "PATCH", "DELETE"} else READ_STATUSES
            responses = operation.setdefault("responses", {})
            for status in statuses:
                if str(status) in responses:
                    continue
                responses.setdefault(status, {"description": REFUSAL_TEXT[status],
                                                   "content": {"application/json": {"schema": ref}}})
    return schema
