"""Reading values people type or post, without a server error for a bad one."""

MAX_ID = 2**63 - 1


def id_or_none(value) -> int | None:
    """A posted id as a positive whole number that fits a database key, or None when it is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
