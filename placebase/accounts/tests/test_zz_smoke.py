import pytest
from placebase.factories import UserFactory, TeamFactory
from placebase.accounts.roles import Role

@pytest.mark.django_db
def test_smoke():
    u = UserFactory(role=Role.ADMIN, teams=[TeamFactory()])
    assert u.check_password("correct-horse-battery-staple-42")
    assert u.is_superuser and u.teams.count() == 1
