"""Settings for running Placebase on your own machine (`make demo`, `make serve`)."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO_MODE = env_bool("PLACEBASE_DEMO_MODE", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-secret")

# Serve static files straight from the apps and vendor folder, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
