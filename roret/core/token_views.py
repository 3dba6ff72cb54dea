"""API tokens on the pages: a user's own (make, list, revoke) under My account, and every user's
for the administrator (revoke). Thin: roret.core.api_tokens decides and audits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roret.core import api_tokens, forms
from roret.core.access import role_required
from roret.core.permissions import ADMINS

#: The session key under which a token just made waits for the page that shows it once.
SHOW_ONCE = "api_token_new"
PAGE_SIZE = 100


@login_required
def api_tokens_page(request):
    """The user's own tokens and the form to make one. A token just made is shown once, here,
    after the redirect (so a reload neither shows it again nor makes another)."""
    form = forms.ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = api_tokens.create_token(actor=request.user, name=form.cleaned_data["name"],
                                          days=form.cleaned_data["days"])
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            request.session[SHOW_ONCE] = {"pk": new.row.pk, "token": new.token}
            return redirect("core:api_tokens")
    shown = request.session.pop(SHOW_ONCE, None) if request.method == "GET" else None
    return render(request, "core/api_tokens.html", {
        "form": form, "tokens": api_tokens.tokens_for(request.user, owner=request.user),
        "new_token": shown, "now": timezone.now(),
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def api_token_revoke(request, token_pk):
    """Revoke a token: the user's own, or (the administrator) anyone's; another's answers 404."""
    token = api_tokens.tokens_for(request.user).filter(pk=token_pk).first()
    if token is None:
        raise Http404
    token = api_tokens.revoke_token(token, actor=request.user)
    messages.success(request, _("The API token %(name)s is revoked.") % {"name": token.name})
    if token.user_id != request.user.pk:
        return redirect("core:api_tokens_admin")
    return redirect("core:api_tokens")


@role_required(ADMINS)
def api_tokens_admin(request):
    """Every user's API tokens, newest first, for the administrator to revoke."""
    page = Paginator(api_tokens.tokens_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/api_tokens_admin.html", {"page": page, "now": timezone.now()})
