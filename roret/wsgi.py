"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roret.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import the URLconf (and with it every view module) and load the Danish catalogue now, not
    in a worker's first request: about 0.7 s of CPU that a user would otherwise wait for, again
    after every worker restart. With ``gunicorn --preload`` the master does it once before forking."""
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
    with translation.override("da"):
        translation.gettext("Danish")


_warm_up()
