"""The board's section for proposals is named in each language, and found whatever language
the proposer reads."""

import pytest
from django.utils import translation

from conversation.models import Category
from decisions import services

pytestmark = pytest.mark.django_db


def test_the_proposals_section_has_both_names_and_is_made_once(group, member):
    with translation.override("es"):
        services.proposal_add(group=group, author=member, kind="topic", title="Huertos")
    services.proposal_add(group=group, author=member, kind="topic", title="Gardens")
    (section,) = Category.objects.filter(group=group)
    assert (section.name_en, section.name_es) == ("Proposals", "Propuestas")
    with translation.override("es"):
        assert section.name == "Propuestas"
    assert section.threads.count() == 2
