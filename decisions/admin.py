"""Proposals and polls in the admin, to look up (organizers decide on the site, where every
action is checked and logged). The voter roll and the ballot box have no admin page."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from groups.admin import ViewOnlyAdminMixin

from .models import Poll, Proposal


@admin.register(Proposal)
class ProposalAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "support_count", "author", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "body"]
    list_select_related = ["author"]
    exclude = ["body_html"]


@admin.register(Poll)
class PollAdmin(ViewOnlyAdminMixin, TranslationAdmin):  # the question in each language
    list_display = [
        "question",
        "method",
        "opens_at",
        "closes_at",
        "voters",
        "eligible_count",
        "ballots",
    ]
    list_filter = ["method", "voters"]
    search_fields = ["question"]
    exclude = ["details_html"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ballot_count=Count("ballots"))

    @admin.display(description=_("ballots"), ordering="ballot_count")
    def ballots(self, poll):
        return poll.ballot_count
