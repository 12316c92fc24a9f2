import pytest

from federation.models import Actor
from federation.services import actor_get

from .peer import PeerActor


@pytest.fixture
def actor(group) -> Actor:
    """The group with federation turned on (its key pair made)."""
    found = actor_get(group=group)
    found.enabled = True
    found.save(update_fields=["enabled"])
    return found


@pytest.fixture
def test_actor(settings):
    settings.POTLUCK_FEDERATION_ALLOW_PRIVATE = True
    peer = PeerActor(host="127.0.0.23").start()
    yield peer
    peer.stop()
