"""Danish first: the interface is Danish unless the user has chosen English with the switch."""


class DanishUnlessChosenMiddleware:
    """Drops the browser's Accept-Language so Django's LocaleMiddleware uses the language cookie
    (set by the language switch) or LANGUAGE_CODE (Danish), never the browser's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
