"""Reading values people type or post, without a server error for a bad one."""

MAX_ID = 2**63 - 1


def id_or_none(value) -> int | None:
    """A posted id as a positive whole number that fits a database key, or None when it is not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def declares_xml_entities(file) -> bool:
    """Whether an uploaded Office file (a zip of XML parts) declares a DOCTYPE or an entity.

    No workbook roret reads needs one, and an entity is how a billion-laughs or external-entity
    attack begins; openpyxl parses with defusedxml too, but the file is refused before it is parsed.
    A file that is not a zip is left to the reader, which refuses it with its own message.
    """
    import re
    import zipfile

    declaration = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        with zipfile.ZipFile(file) as archive:
            for member in archive.infolist():
                with archive.open(member) as part:
                    tail = b""
                    while chunk := part.read(65536):
                        if declaration.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return False
    finally:
        if hasattr(file, "seek"):
            file.seek(position)
    return False
