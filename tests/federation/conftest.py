import itertools

import pytest

from federation import signatures
from federation.models import Actor
from federation.services import actor_get

from .peer import PeerActor

# Key pairs made by the real signatures.key_pair, four per worker, handed out in turn: an RSA
# 2048 key takes 0.1-0.3 s of CPU to make, and the group's actor and the peer each made one in
# every test (2 % of `make quick`). Consecutive calls still give different keys, as a test
# that signs with "another key" needs.
_POOL: list[tuple[str, str]] = []
_TURN = itertools.count()


def _pooled_key_pair() -> tuple[str, str]:
    turn = next(_TURN) % 4
    if turn == len(_POOL):
        _POOL.append(_real_key_pair())
    return _POOL[turn]


_real_key_pair = signatures.key_pair


@pytest.fixture(autouse=True)
def _key_pairs_made_once(monkeypatch):
    monkeypatch.setattr(signatures, "key_pair", _pooled_key_pair)


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
