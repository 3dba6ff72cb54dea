"""The API's documentation page: Swagger UI from roret's own static files (npm's swagger-ui-dist,
collected like dkfds), started by a script file, so the page loads nothing from a CDN and runs
under the same Content-Security-Policy as every other page."""

import json

from django.shortcuts import render
from ninja.openapi.docs import Swagger


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        # django-ninja falls back to a CDN template when "ninja" is not an installed app; roret
        # always renders its own.
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {"swagger_settings": json.dumps(self.settings), "api": api})
