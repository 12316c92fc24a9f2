"""Proposals, polls, consent proposals and their positions, elections and settings polls in
the admin, to look up (organizers decide on the site, where every action is checked and
logged). The voter roll and the ballot box have no admin page."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.adminfilters import StrictFiltersMixin
from groups.admin import ReadOnlyAdminMixin, ViewOnlyAdminMixin

from .models import (
    Candidate,
    Decision,
    Election,
    Poll,
    Position,
    PositionKind,
    Proposal,
    SettingPoll,
)


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


class PositionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The positions stated, with their reasons: public arguments, as on the proposal's page.
    Members state and change them on the site (decisions.services.position_state)."""

    model = Position
    extra = 0
    can_delete = False
    fields = ["member", "position", "reason", "stated_at"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Consent proposals, to look up: opened and closed with a written outcome on the site
    (decisions.services.decision_open / decision_close), where it is logged."""

    list_display = [
        "title",
        "opened_at",
        "closes_at",
        "closed_at",
        "agree",
        "abstain",
        "disagree",
        "block",
        "created_by",
    ]
    search_fields = ["title", "body", "outcome"]
    date_hierarchy = "opened_at"
    list_select_related = ["created_by"]
    exclude = ["body_html"]
    inlines = [PositionInline]

    def get_queryset(self, request):
        counts = {
            kind: Count("positions", filter=Q(positions__position=kind))
            for kind in PositionKind.values
        }
        return (
            super().get_queryset(request).annotate(**{f"{k}_count": c for k, c in counts.items()})
        )

    @admin.display(description=_("agree"), ordering="agree_count")
    def agree(self, decision):
        return decision.agree_count

    @admin.display(description=_("abstain"), ordering="abstain_count")
    def abstain(self, decision):
        return decision.abstain_count

    @admin.display(description=_("disagree"), ordering="disagree_count")
    def disagree(self, decision):
        return decision.disagree_count

    @admin.display(description=_("block"), ordering="block_count")
    def block(self, decision):
        return decision.block_count


@admin.register(Position)
class PositionAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Every position on every consent proposal, to find one (a block and its reason, say)."""

    list_display = ["decision", "member", "position", "reason", "stated_at"]
    list_filter = ["position"]
    search_fields = ["reason", "member__display_name", "decision__title"]
    date_hierarchy = "stated_at"
    list_select_related = ["decision", "member"]


class CandidateInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Who stood: each candidate is one of the poll's options, named on the ballot."""

    model = Candidate
    extra = 0
    can_delete = False
    fields = ["option", "member"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Election)
class ElectionAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Elections, to look up: opened on the site (/polls/election/), closed like any poll,
    whose close hands over the roles (decisions.services.election_apply)."""

    list_display = ["poll", "role", "seats", "term_ends", "roles_handed_over", "reminded"]
    list_filter = ["role"]
    search_fields = ["poll__question"]
    date_hierarchy = "term_ends"
    list_select_related = ["poll"]
    fields = ["poll", "role", "seats", "term_ends", "applied_at", "reminded_at"]
    readonly_fields = fields
    inlines = [CandidateInline]

    @admin.display(description=_("roles handed over"), boolean=True)
    def roles_handed_over(self, election):
        return election.applied_at is not None

    @admin.display(description=_("reminded before the term ends"), boolean=True)
    def reminded(self, election):
        return election.reminded_at is not None


@admin.register(SettingPoll)
class SettingPollAdmin(StrictFiltersMixin, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Settings polls, to look up: proposed on the site (/polls/setting/); the close applies a
    passed one (decisions.services.setting_poll_apply), and the log says so."""

    list_display = ["poll", "setting", "value", "passed", "applied_at"]
    list_filter = ["setting", "passed"]
    search_fields = ["poll__question"]
    list_select_related = ["poll"]
    fields = ["poll", "setting", "value", "passed", "applied_at"]
    readonly_fields = fields
