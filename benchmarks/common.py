"""What the benchmarks share: the percentile they quote, a logged-in test client, and printing and
saving a result as JSON."""


def percentile(values, q):
    """The ``q``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


def client_for(username):
    """A Django test client logged in as ``username``, its session verified with the user's
    authenticator when the role needs a second factor (as after a correct code; tests/clients.py
    does the same for the suite). A tree from before two-factor logins skips that step."""
    from django.test import Client

    from roret.core.models import User

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    try:
        from roret.core import two_factor
    except ImportError:
        return client
    if two_factor.required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def emit(result: dict, out=None, **dumps) -> dict:
    """Print ``result`` as JSON and, with ``out`` (a Path), also write it there."""
    import json

    text = json.dumps(result, indent=2, **dumps)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
    return result
