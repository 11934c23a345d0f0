"""Settings for the test suite: fast hashing, in-memory mail, the same security behaviour."""

import os

from .base import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_USE_FINDERS = True

# Lets two test runs share one PostgreSQL server without clashing
# (e.g. PLACEBASE_TEST_DB_NAME=test_places).
if os.environ.get("PLACEBASE_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PLACEBASE_TEST_DB_NAME"]}  # noqa: F405
