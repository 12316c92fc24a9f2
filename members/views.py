from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import counts, uploads
from events.calendar_views import subscribe_links
from events.models import Event, EventStatus, RSVPStatus
from events.seo import absolute
from groups.access import viewer
from groups.middleware import group_or_404
from groups.models import Membership
from groups.visibility import PROFILE_PARTS, ShownTo, allowed
from photos.models import Photo

from . import services
from .data import WritingOnDelete, sections
from .forms import DeleteAccountForm, DirectorySearchForm, NotificationsForm, ProfileForm
from .hooks import privacy_notes
from .models import User
from .profiles import profile_facts
from .twofactor import ADMIN_NEXT, admin_next, has_second_factor

MEMBERS_PER_PAGE = 30
# Names ignoring case, then the person (one membership each): the order of the
# members_user_name_ci_idx index, which the directory reads up to the end of a page.
DIRECTORY_ORDER = (Lower("user__display_name"), "user_id")


def two_factor_state(request) -> dict:
    """What /me/'s "Two-factor sign-in" card shows: the authenticator app, the passkeys, the
    recovery codes left, and whether the admin waits for it (organizers, superusers)."""
    authenticators = Authenticator.objects.filter(user_id=request.user.pk).order_by("pk")
    by_type = {kind: [a for a in authenticators if a.type == kind] for kind in Authenticator.Type}
    codes = by_type[Authenticator.Type.RECOVERY_CODES]
    totp = bool(by_type[Authenticator.Type.TOTP])
    passkeys = len(by_type[Authenticator.Type.WEBAUTHN])
    return {
        "on": totp or passkeys > 0,
        "totp": totp,
        "passkeys": passkeys,
        "recovery_codes_left": len(codes[0].wrap().get_unused_codes()) if codes else 0,
        "for_admin": viewer(request).is_organizer or admin.site.has_permission(request),
    }


def _avatar_name(user) -> str:
    return User.objects.filter(pk=user.pk).values_list("avatar", flat=True).first() or ""


def _section(request, section: str, context: dict, *, status: int = 200) -> TemplateResponse:
    """One of /me/'s short pages: its template, under the section nav."""
    return TemplateResponse(
        request, f"members/me/{section}.html", {"section": section, **context}, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def me(request):
    """/me/ opens on the profile: what other members see about you, and your avatar."""
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data.get("avatar_upload")
            avatar = request.user.avatar.name
            try:
                if upload:
                    services.member_set_avatar(member=request.user, upload=upload)
            except ValidationError as error:
                form.add_error("avatar_upload", error)
            except uploads.StorageFull as error:
                form.add_error("avatar_upload", error.message)
                status = 507
            else:
                form.save()
                saved = _("Your profile is saved.")
                if upload and _avatar_name(request.user) == avatar:
                    # The worker has not stored it yet (or could not decode it).
                    saved += " " + _("Your new avatar will show once it is processed.")
                messages.success(request, saved)
                return redirect("members:me")
    return _section(request, "profile", {"profile_form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def me_notifications(request):
    """The emails a member wants, their language and their time zone."""
    form = NotificationsForm(
        request.POST if request.method == "POST" else None,
        instance=request.user,
        organizer=viewer(request).is_organizer,
    )
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your email preferences are saved."))
            return redirect("members:me_notifications")
        return _section(request, "notifications", {"notifications_form": form}, status=400)
    return _section(request, "notifications", {"notifications_form": form})


@login_required
@require_safe
def me_calendar(request):
    """The member's personal calendar feed, and changing its address."""
    feed_url = absolute(f"/calendar/{request.user.calendar_token}.ics")
    group = request.group
    links = subscribe_links(feed_url, group.name if group else "Potluck")
    return _section(request, "calendar", {"calendar_links": links})


@login_required
@require_safe
def me_security(request):
    """Signing in: the email, the password and the second factor."""
    return _section(request, "security", {"two_factor": two_factor_state(request)})


@login_required
@require_safe
def me_data(request):
    """Everything Potluck holds about the member: download it, leave the group, delete it."""
    # A membership, not a superuser's pass.
    return _section(request, "data", {"is_member": viewer(request).role is not None})


@login_required
@require_safe
def admin_two_factor(request):
    """Where the admin sends organizers without a second factor (members.twofactor): why,
    the steps, and on to the admin page they asked for once a factor is set up."""
    if not admin.site.has_permission(request):
        return redirect(reverse("members:me_security") + "#two-factor")
    destination = admin_next(request, request.GET.get("next") or request.session.get(ADMIN_NEXT))
    if has_second_factor(request.user):
        request.session.pop(ADMIN_NEXT, None)
        return redirect(destination)
    request.session[ADMIN_NEXT] = destination
    return TemplateResponse(request, "members/admin_two_factor.html", {})


@require_safe
def two_factor_index(request):
    """allauth's two-factor overview is /me/security/'s card: where its pages lead back to."""
    return redirect(reverse("members:me_security") + "#two-factor")


@login_required
@require_POST
def rotate_calendar_token(request):
    services.member_rotate_calendar_token(member=request.user)
    messages.success(request, _("Your calendar address has changed. The old one no longer works."))
    return redirect("members:me_calendar")


@login_required
@require_POST
def export(request):
    """Everything Potluck holds about the member, as a ZIP they download."""
    archive = services.member_export(member=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="potluck-my-data-{stamp}.zip"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_delete(
                member=request.user,
                leave_photos=form.cleaned_data["leave_photos"],
                keep_writing=form.cleaned_data["writing"] == WritingOnDelete.KEEP,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request, _("Your account and your personal data are deleted. Goodbye!")
            )
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "members/delete.html", {"form": form}, status=status)


@login_required
@require_safe
def directory(request):
    """Members only: everyone in the group as cards with faces, searchable by name."""
    group = group_or_404(request)
    if not allowed(viewer(request), "directory"):
        return TemplateResponse(request, "members/members_only.html", {}, status=403)
    form = DirectorySearchForm(request.GET or None)
    memberships = Membership.objects.active().filter(group=group).select_related("user")
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        memberships = memberships.filter(user__display_name__icontains=query)
    paginator = counts.paginator(request, memberships.order_by(*DIRECTORY_ORDER), MEMBERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    seer = viewer(request)
    cards = [
        {
            "membership": membership,
            "person": membership.user,
            "shown": _shown(seer, membership.user, ("pronouns", "city")),
        }
        for membership in page.object_list
    ]
    context = {
        "form": form,
        "query": query,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "memberships": page.object_list,
        "cards": cards,
        # Only the viewer in the group (no search): the empty state says how others come in.
        "alone": not query and paginator.count == 1,
    }
    return TemplateResponse(request, "members/directory.html", context)


# How the owner's profile names a part they keep to themself ("Only you see …").
PART_NAMES = {
    "pronouns": gettext_lazy("your pronouns"),
    "city": gettext_lazy("your city"),
    "bio": gettext_lazy("your bio"),
    "links": gettext_lazy("your links"),
    "since": gettext_lazy("since when you are a member"),
    "evenings": gettext_lazy("the evenings you went to"),
    "breakouts": gettext_lazy("the breakouts you facilitated"),
}


def _shown(seer, person, parts=PROFILE_PARTS) -> dict[str, bool]:
    """Which parts of the person's profile this viewer sees (groups.visibility)."""
    return {part: allowed(seer, f"profile_{part}", owner=person) for part in parts}


def _visible_profile(request, pk, *, facts: bool = False) -> tuple[User, Membership]:
    group = group_or_404(request)
    memberships = Membership.objects.active().select_related("user")
    if facts:
        memberships = memberships.annotate(**profile_facts())
    membership = get_object_or_404(memberships, group=group, user_id=pk)
    person = membership.user
    if allowed(viewer(request), "profile", owner=person):
        return person, membership
    raise Http404


@require_safe
def profile(request, pk):
    person, membership = _visible_profile(request, pk, facts=True)
    seer = viewer(request)
    shown = _shown(seer, person)
    went = []
    if shown["evenings"] and allowed(seer, "attendance", owner=person):
        went = list(
            Event.objects.filter(group=membership.group_id, status=EventStatus.PUBLISHED)
            .past()
            .filter(rsvps__member=person, rsvps__status=RSVPStatus.GOING, rsvps__no_show=False)
            .select_related("venue")[:6]
        )
    photos = list(
        Photo.objects.visible_to(request.user)
        .filter(uploaded_by=person)
        .exclude(grid_jpeg="")
        .order_by("-uploaded_at", "-pk")[:12]
    )
    own = seer.is_self(person)
    context = {
        # On your own profile: the parts nobody else sees (you chose "Only me").
        "only_you": [
            PART_NAMES[part]
            for part in PROFILE_PARTS
            if own and getattr(person, f"{part}_shown_to") == ShownTo.NOBODY
        ],
        "person": person,
        "membership": membership,
        "shown": shown,
        "went": went,
        "photos": photos,
        "own": own,
        # Your own profile with nothing to read yet: the empty state says what to add.
        "empty": own and not (person.bio or person.pronouns or person.city or person.links),
    }
    return TemplateResponse(request, "members/profile.html", context)


@require_safe
def avatar(request, pk):
    person, _membership = _visible_profile(request, pk)
    if not person.avatar:
        raise Http404
    with person.avatar.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=3600)
    patch_vary_headers(response, ["Cookie"])
    return response


@require_safe
def privacy(request):
    """What Potluck stores, why, who sees it: from the same list the export is built from."""
    return TemplateResponse(
        request,
        "members/privacy.html",
        {
            "sections": [
                (section, section.who_sees_in(getattr(request, "group", None)))
                for section in sections()
            ],
            "writing_choices": WritingOnDelete.choices,
            "beyond": [note for build in privacy_notes if (note := build(request))],
        },
    )
