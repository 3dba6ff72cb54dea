"""The test client the suite logs in with: a login that goes through django-axes, and, for a user
who must give a second factor, a session marked as verified with that user's authenticator, as if
they had typed its code. Tests of the second factor itself use Django's plain ``Client``, which
does neither (tests/core/test_two_factor.py), so the production check is walked as it is."""

from django.http import HttpRequest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

#: The secret every test user's authenticator gets (hex, as django-otp stores it).
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_device(user) -> TOTPDevice:
    """``user``'s confirmed authenticator (one is made with TEST_TOTP_KEY if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", key=TEST_TOTP_KEY, confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the device's app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


class SecondFactorClient(Client):
    """Django's test client, whose ``login`` passes a request to ``authenticate`` (django-axes needs
    one) and whose ``login`` and ``force_login`` complete the second factor for a user who must
    give one. Explicitly a test convenience: production asks for the code (TwoFactorMiddleware)."""

    def login(self, **credentials):
        from django.contrib.auth import authenticate

        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        user = authenticate(request, **credentials)
        if user is None:
            return False
        self._login(user)
        return True

    def _login(self, user, backend=None):
        from roret.core import two_factor

        super()._login(user, backend)
        if two_factor.required(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = give_device(user).persistent_id
            session.save()
