from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.timefmt import format_start

from .counting import MAX_SCORE, Answer, Method
from .models import BODY_MAX, Poll, PositionKind, ProposalKind, ProposalStatus, Voters
from .services.choices import ballot_mapping
from .services.common import MAX_DOTS
from .services.rolls import MAX_EVENINGS

MARKDOWN_HELP = _("Markdown works: **bold**, *italics*, [a link](https://example.org), lists.")


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you propose?"), choices=ProposalKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=150,
        help_text=_("A topic, the guest's name, or the breakout's theme."),
    )
    body = forms.CharField(
        label=_("Why"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )
    contact = forms.CharField(
        label=_("For a guest: how to reach them"),
        max_length=300,
        required=False,
        help_text=_("An email address or a profile link. Only the organizers and you see this."),
    )


class ProposalFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *ProposalKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open and planned")), *ProposalStatus.choices],
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why decline it?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members read this reason; it is also in the transparency log."),
    )


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200)
    details = forms.CharField(
        label=_("Details"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line, at least two. For a dates poll, one date and time per line, such as "
            "2026-05-12 18:30, in the group's time zone."
        ),
    )
    # The same in Spanish, optional: Spanish readers see the above where these are empty.
    question_es = forms.CharField(
        label=_("Question in Spanish"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"lang": "es"}),
    )
    details_es = forms.CharField(
        label=_("Details in Spanish"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "es"}),
        help_text=MARKDOWN_HELP,
    )
    options_es = forms.CharField(
        label=_("Options in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "es"}),
        help_text=_("One per line, in the same order as the options, or none."),
    )
    method = forms.ChoiceField(
        label=_("How members vote"),
        choices=Poll._meta.get_field("method").choices,
        initial=Method.SINGLE,
        widget=forms.RadioSelect,
    )
    dots = forms.IntegerField(
        label=_("Dots per member"),
        required=False,
        min_value=1,
        max_value=MAX_DOTS,
        help_text=_("For a dots poll: how many dots each member spreads over the options."),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the group's time zone."),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the group's time zone."),
    )
    voters = forms.ChoiceField(
        label=_("Who may vote"),
        choices=Voters.choices,
        initial=Voters.MEMBERS,
        widget=forms.RadioSelect,
    )
    event = forms.ModelChoiceField(
        label=_("Event (when its attendees vote)"), queryset=None, required=False
    )
    attended_k = forms.IntegerField(
        label=_("Evenings attended (k)"),
        min_value=1,
        max_value=MAX_EVENINGS,
        required=False,
        help_text=_("For members who attended: checked in at at least this many…"),
    )
    attended_n = forms.IntegerField(
        label=_("Of the last evenings (n)"),
        min_value=1,
        max_value=MAX_EVENINGS,
        required=False,
        help_text=_("…of the group's last this many evenings."),
    )
    results_while_open = forms.BooleanField(
        label=_("Show the results while the poll is open"),
        required=False,
        help_text=_("Otherwise they appear when it closes."),
    )

    def __init__(self, *args, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = events

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def clean(self):
        """A dates poll's lines read as times in the group's zone (the active one); a dots
        poll needs its number of dots."""
        data = super().clean()
        method = data.get("method")
        if method == Method.DATES and "options" in data:
            reader = forms.DateTimeField()
            starts = []
            for line in data["options"]:
                try:
                    starts.append(reader.clean(line))
                except forms.ValidationError:
                    self.add_error(
                        "options",
                        _("Write each date as a date and a time, such as 2026-05-12 18:30."),
                    )
                    break
            else:
                data["options"] = starts
        if method == Method.DOTS and not data.get("dots") and "dots" not in self.errors:
            self.add_error("dots", _("Give each member a number of dots."))
        return data

    def clean_options_es(self):
        lines = self.cleaned_data["options_es"].splitlines()
        return [line.strip() for line in lines if line.strip()]

    SPANISH = ("question_es", "details_es", "options_es")

    def spanish_fields(self):
        return [self[name] for name in self.SPANISH]

    def spanish_given(self) -> bool:
        """Whether the Spanish part was filled in (or holds an error): shown open then."""
        return any(self[name].value() or self[name].errors for name in self.SPANISH)


class BallotForm(forms.Form):
    """The ballot: radio buttons (single choice), checkboxes (approval), or a rank for each
    option (ranked choice): all plain form fields, so voting needs no JavaScript. Never filled
    in with the member's ballot: the site cannot tell which ballot is theirs. The receipt is
    asked for once they voted (their browser fills it in when it kept it)."""

    receipt = forms.CharField(
        label=_("Your receipt"),
        max_length=100,
        required=False,
        help_text=_("Given when you voted: this browser fills it in if it kept it."),
    )

    def __init__(self, *args, poll, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll, self.options = poll, options
        self.fields["receipt"].widget.attrs.update(
            {"data-receipt-for": poll.pk, "autocomplete": "off", "spellcheck": "false"}
        )
        chosen = []
        choices = [(o.pk, o.label) for o in options]
        given = ballot_mapping(poll, chosen)
        if poll.method in (Method.SCORE, Method.DOTS):
            most = MAX_SCORE if poll.method == Method.SCORE else poll.dots
            for option in options:
                self.fields[f"points_{option.pk}"] = forms.IntegerField(
                    label=option.label,
                    required=False,
                    min_value=0,
                    max_value=most,
                    initial=given.get(option.pk, 0),
                )
            return
        if poll.method == Method.DATES:
            zone = timezone.get_current_timezone()
            answers = [
                (Answer.YES.value, _("Yes")),
                (Answer.IF_NEED_BE.value, _("If need be")),
                (Answer.NO.value, _("No")),
            ]
            for option in options:
                self.fields[f"answer_{option.pk}"] = forms.ChoiceField(
                    label=format_start(option.starts_at, zone)
                    if option.starts_at
                    else option.label,
                    choices=answers,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "answer-row"}),
                    initial=given.get(option.pk, ""),
                )
            return
        if poll.method == Method.SINGLE:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Your choice"),
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                initial=chosen[0] if chosen else None,
            )
        elif poll.method == Method.APPROVAL:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=_("Every option you accept"),
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                initial=chosen,
            )
        else:
            ranks = [("", _("Not ranked"))] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
            for option in options:
                self.fields[f"rank_{option.pk}"] = forms.ChoiceField(
                    label=option.label,
                    choices=ranks,
                    required=False,
                    initial=str(chosen.index(option.pk) + 1) if option.pk in chosen else "",
                )

    def rank_fields(self):
        return [self[f"rank_{o.pk}"] for o in self.options]

    def points_fields(self):
        return [self[f"points_{o.pk}"] for o in self.options]

    def answer_fields(self):
        return [self[f"answer_{o.pk}"] for o in self.options]

    def dots_used(self) -> int:
        """The dots the shown ballot spreads (what the member typed, or their ballot)."""
        used = 0
        for field in self.points_fields():
            value = str(field.value() or "").strip()
            used += int(value) if value.isdigit() else 0
        return used

    def dots_left_text(self) -> str:
        used = self.dots_used()
        dots = self.poll.dots or 0
        return ngettext(
            "You have %(dots)s dot to spread; this ballot uses %(used)s, %(left)s left.",
            "You have %(dots)s dots to spread; this ballot uses %(used)s, %(left)s left.",
            dots,
        ) % {"dots": dots, "used": used, "left": max(dots - used, 0)}

    def clean(self):
        data = super().clean()
        if self.poll.method in (Method.SCORE, Method.DOTS):
            points = {o.pk: data.get(f"points_{o.pk}") or 0 for o in self.options}
            if self.poll.method == Method.DOTS and sum(points.values()) > (self.poll.dots or 0):
                raise forms.ValidationError(
                    _("You have %(dots)s dots: you gave %(given)s.")
                    % {"dots": self.poll.dots, "given": sum(points.values())}
                )
            data["ordered"] = points
            return data
        if self.poll.method == Method.DATES:
            answers = {o.pk: data.get(f"answer_{o.pk}") for o in self.options}
            data["ordered"] = {pk: answer for pk, answer in answers.items() if answer}
            if not data["ordered"]:
                raise forms.ValidationError(
                    _("Answer yes, if need be or no for at least one date.")
                )
            return data
        if self.poll.method == Method.SINGLE:
            data["ordered"] = [data["choice"]] if data.get("choice") else []
        elif self.poll.method == Method.APPROVAL:
            data["ordered"] = list(data.get("choices") or [])
        else:
            ranked = {}
            for option in self.options:
                rank = data.get(f"rank_{option.pk}")
                if not rank:
                    continue
                if rank in ranked:
                    raise forms.ValidationError(
                        _("Give each rank to one option only (%(rank)s is used twice).")
                        % {"rank": rank}
                    )
                ranked[rank] = option.pk
            data["ordered"] = [ranked[r] for r in sorted(ranked, key=int)]
        if not data["ordered"]:
            raise forms.ValidationError(_("Choose at least one option."))
        return data


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Your receipt"), max_length=100)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("The outcome"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the group decided, in a few words: emailed to those who took part."),
    )


class CloseForm(OutcomeForm):
    """Closing a poll: the outcome may wait (an organizer can write it later)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = False
        self.fields["outcome"].help_text = _(
            "Optional now: you can write it after the poll closes. Emailed to those who voted."
        )


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("What you propose"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the group's time zone."),
    )


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Your position"), choices=PositionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Your reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with your name. A block needs one: say what would have to change."),
    )
