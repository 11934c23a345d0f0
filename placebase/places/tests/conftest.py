import pytest

from .factories import UserFactory


@pytest.fixture
def no_mfa(settings):  # type: ignore[no-untyped-def]
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def analyst(db, no_mfa):  # type: ignore[no-untyped-def]
    return UserFactory(role="analyst")


@pytest.fixture
def analyst_client(client, analyst):  # type: ignore[no-untyped-def]
    client.force_login(analyst)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Uploaded import files land in a throwaway folder, not the project's var/.
    settings.MEDIA_ROOT = tmp_path / "media"
