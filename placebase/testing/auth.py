"""Signing a Django test client in the way the real sign-in does, for any app's view tests.

`sign_in_client(client, user)` leaves the client as the sign-in form plus (for staff) the
second factor would: session timestamps set and, when the role needs it, a verified TOTP
device. So a view test needs neither to switch MFA off nor to walk through the forms.
"""

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from placebase.accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED


def confirmed_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return device


def sign_in_client(client: Client, user: Any, *, verified: bool = True) -> Client:
    """Sign `client` in as `user`; staff are also second-factor verified unless told not."""
    client.force_login(user)
    session = client.session
    session[SESSION_STARTED] = session[SESSION_LAST_SEEN] = time.time()
    if verified and user.is_staff_role:
        session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()
    return client
