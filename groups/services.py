from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.emails.outbox import emails_queue, emails_queue_rendered

from . import hooks
from .alerts import organizers_alert
from .emails import JOIN_REQUEST, GroupEmail, contact_messages
from .logrecord import log_record
from .models import (
    ORGANIZER_ROLES,
    Ban,
    Group,
    LogKind,
    Membership,
    MembershipAction,
    MembershipActionKind,
    MembershipStatus,
    Role,
    ban_email_hash,
)
from .permissions import organizers_group


def contact_send(*, group: Group, name: str, email: str, message: str) -> int:
    """Queues the contact message to each organizer (and the group's address), each in their
    own language; sent once the request's transaction commits. Returns how many."""
    messages = contact_messages(group=group, name=name, email=email, message=message)
    return len(emails_queue_rendered(kind=GroupEmail.CONTACT, messages=messages))


def _log_role(membership: Membership, *, before: str | None, by) -> None:
    """A change of role into or out of organizing is the group's business: it is logged."""
    was = before in ORGANIZER_ROLES
    now = membership.role in ORGANIZER_ROLES
    if before == membership.role or not (was or now):
        return
    log_record(
        group=membership.group_id,
        kind=LogKind.ROLE_GRANTED if now else LogKind.ROLE_REMOVED,
        by=by,
        member=membership.user,
        detail=membership.role if now else before,
    )


def _sync_organizer_status(user) -> None:
    """Organizers and co-organizers are staff in the "Organizers" permission group.

    Derived from memberships every time one is created, changed, moved to another person or
    deleted, and when a group goes: staff status never outlives the role that gave it.
    """
    if user is None:
        return
    has_role = Membership.objects.filter(user=user, role__in=ORGANIZER_ROLES).exists()
    group = organizers_group()
    if has_role:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


def is_last_organizer(membership: Membership) -> bool:
    """Whether this membership is the only one left with an organizer role (no lock)."""
    return (
        membership.role in ORGANIZER_ROLES
        and not Membership.objects.filter(group_id=membership.group_id, role__in=ORGANIZER_ROLES)
        .exclude(pk=membership.pk)
        .exists()
    )


def ensure_not_last_organizer(membership: Membership) -> None:
    if membership.role not in ORGANIZER_ROLES:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(group=membership.group, role__in=ORGANIZER_ROLES)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "You are the group's last organizer. Make another member an organizer first, "
                "so the group is never left without one."
            ),
            code="last_organizer",
        )


# --- Joining, approval, removal and bans (README "Joining") -----------------------------------

MAX_ANSWER_LENGTH = 1000


def banned_message() -> str:
    """What a banned person is told, wherever they try: no details."""
    return _("This account or email address cannot join this group.")


def is_banned(*, group: Group, user=None, emails=()) -> bool:
    return Ban.objects.matching(group=group, user=user, emails=emails).exists()


def membership_request(*, group: Group, user, answers: dict[int, str]) -> Membership:
    """Joins the group, or asks to join (a pending membership) where organizers approve.

    answers: the join questions' answers by JoinQuestion pk; they are kept with the question
    as worded now. An existing membership (active or pending) is returned as it is.
    Refused (ValidationError) for a banned account or address, or a required answer missing.
    """
    with transaction.atomic():
        # The group's row is the lock a ban takes too: no request slips in beside a ban.
        group = Group.objects.select_for_update().get(pk=group.pk)
        if is_banned(group=group, user=user):
            raise ValidationError(banned_message(), code="banned")
        existing = Membership.objects.filter(group=group, user=user).first()
        if existing is not None:
            return existing
        given = {int(pk): (text or "").strip() for pk, text in (answers or {}).items()}
        stored = []
        for question in group.join_questions.all():
            answer = given.get(question.pk, "")
            if question.required and not answer:
                raise ValidationError(
                    _("Please answer “%(question)s”.") % {"question": question.text},
                    code="answer_required",
                )
            if len(answer) > MAX_ANSWER_LENGTH:
                raise ValidationError(
                    _("Please keep each answer under %(max)d characters.")
                    % {"max": MAX_ANSWER_LENGTH},
                    code="answer_too_long",
                )
            stored.append({"question": question.text, "answer": answer})
        membership = Membership(
            group=group,
            user=user,
            status=(
                MembershipStatus.PENDING if group.join_needs_approval else MembershipStatus.ACTIVE
            ),
            answers=stored,
        )
        membership.full_clean()
        membership.save()
        if membership.is_pending:
            organizers_alert(group=group, kind=JOIN_REQUEST, params={"membership": membership.pk})
    return membership


def membership_for_rsvp(*, group_id: int, user) -> Membership:
    """An RSVP needs a membership: the member's own, or joining on the way where the group
    is open and asks no questions. Refused (ValidationError) for a request still waiting,
    a ban, or a group that approves its members or asks questions (the join page first)."""
    membership = Membership.objects.filter(group_id=group_id, user=user).first()
    if membership is not None and not membership.is_pending:
        return membership
    if membership is not None:
        raise ValidationError(
            _(
                "Your request to join is waiting for an organizer; you can answer once it is "
                "approved."
            ),
            code="join_pending",
        )
    group = Group.objects.get(pk=group_id)
    if is_banned(group=group, user=user):
        raise ValidationError(banned_message(), code="banned")
    if group.join_needs_approval or group.join_questions.exists():
        raise ValidationError(
            _("Please join the group first (on its home page); then you can answer."),
            code="join_first",
        )
    return membership_request(group=group, user=user, answers={})


def membership_join(*, group: Group, user) -> Membership:
    """Joining without answers (the join page of a group that asks nothing)."""
    return membership_request(group=group, user=user, answers={})


def _log(*, group_id: int, action: str, member, by, reason: str) -> MembershipAction:
    return MembershipAction.objects.create(
        group_id=group_id, action=action, member=member, by=by, reason=reason
    )


def _pending_locked(membership: Membership) -> Membership:
    current = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(pk=membership.pk)
        .first()
    )
    if current is None or current.status != MembershipStatus.PENDING:
        raise ValidationError(
            _("This request to join has already been answered."), code="not_pending"
        )
    return current


def _send_decision(current: Membership, *, approved: bool, message: str) -> None:
    """The person hears the organizers' answer (queued in the caller's transaction)."""
    emails_queue(
        kind=GroupEmail.JOIN_APPROVED if approved else GroupEmail.JOIN_DECLINED,
        user_ids=[current.user_id],
        params={"group": current.group_id, "message": message},
    )


def membership_approve(*, membership: Membership, by, message: str = "") -> Membership:
    """Makes a pending request a membership (joined now); the person is emailed."""
    with transaction.atomic():
        current = _pending_locked(membership)
        current.status = MembershipStatus.ACTIVE
        current.joined_at = timezone.now()
        current.save(update_fields=["status", "joined_at"])
        _log(
            group_id=current.group_id,
            action=MembershipActionKind.APPROVED,
            member=current.user,
            by=by,
            reason=message,
        )
        log_record(group=current.group_id, kind=LogKind.JOIN_APPROVED, by=by, member=current.user)
        _send_decision(current, approved=True, message=message)
    return current


def membership_decline(*, membership: Membership, by, message: str = "") -> None:
    """Declines a pending request (they may ask again); the person is emailed."""
    with transaction.atomic():
        current = _pending_locked(membership)
        _log(
            group_id=current.group_id,
            action=MembershipActionKind.DECLINED,
            member=current.user,
            by=by,
            reason=message,
        )
        # Who declined, not whom: they are not a member, and may ask again.
        log_record(group=current.group_id, kind=LogKind.JOIN_DECLINED, by=by)
        _send_decision(current, approved=False, message=message)
        current.delete()


def _refuse_self(user, by) -> None:
    if by is not None and user.pk == by.pk:
        raise ValidationError(
            _("You cannot remove or ban yourself; leave the group instead."), code="self"
        )


def membership_remove(*, membership: Membership, by, reason: str = "", confirmed_by=None) -> None:
    """Removes a member (they may join again); their upcoming seats are freed. Where the group
    has two organizers, groups.confirmations asks a second one first (confirmed_by)."""
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(pk=membership.pk)
            .first()
        )
        if current is None:
            raise ValidationError(_("This membership no longer exists."), code="gone")
        _refuse_self(current.user, by)
        ensure_not_last_organizer(current)
        user = current.user
        current.delete()
        _sync_organizer_status(user)
        _log(
            group_id=current.group_id,
            action=MembershipActionKind.REMOVED,
            member=user,
            by=by,
            reason=reason,
        )
        log_record(
            group=current.group_id,
            kind=LogKind.MEMBER_REMOVED,
            by=by,
            confirmed_by=confirmed_by,
        )
        for release in hooks.member_removed:
            release(user)


def membership_ban(*, group: Group, user, by, reason: str = "", confirmed_by=None) -> Ban:
    """Bans the account and its email address (kept hashed): removed, and never again a
    member, nor going to an event, with this account or a new one with the same address."""
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        _refuse_self(user, by)
        current = Membership.objects.select_for_update().filter(group=group, user=user).first()
        if current is not None:
            ensure_not_last_organizer(current)
        ban, _created = Ban.objects.update_or_create(
            group=group,
            email_hash=ban_email_hash(user.email),
            defaults={"user": user, "by": by, "reason": reason},
        )
        if current is not None:
            current.delete()
            _sync_organizer_status(user)
        _log(
            group_id=group.pk,
            action=MembershipActionKind.BANNED,
            member=user,
            by=by,
            reason=reason,
        )
        log_record(group=group, kind=LogKind.MEMBER_BANNED, by=by, confirmed_by=confirmed_by)
        for release in hooks.member_removed:
            release(user)
    return ban


def membership_leave(*, group: Group, user) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
        if membership is None:
            return
        ensure_not_last_organizer(membership)
        membership.delete()
        _sync_organizer_status(user)


def membership_save(*, membership: Membership, by=None) -> Membership:
    """Creates or changes a membership (the admin's form), role and person included.

    Moving a membership to another person or demoting it keeps the group's last organizer;
    both the person it left and the person it reached get their staff status recomputed.
    """
    with transaction.atomic():
        before = (
            Membership.objects.select_for_update().filter(pk=membership.pk).first()
            if membership.pk
            else None
        )
        leaving_organizer = before is not None and before.role in ORGANIZER_ROLES
        if leaving_organizer and (
            membership.role not in ORGANIZER_ROLES or membership.user_id != before.user_id
        ):
            ensure_not_last_organizer(before)
        membership.full_clean()
        membership.save()
        _sync_organizer_status(membership.user)
        if before is not None and before.user_id != membership.user_id:
            _sync_organizer_status(before.user)
            if before.role in ORGANIZER_ROLES:  # the role left the person it was given to
                log_record(
                    group=before.group_id,
                    kind=LogKind.ROLE_REMOVED,
                    by=by,
                    member=before.user,
                    detail=before.role,
                )
        same_person = before is not None and before.user_id == membership.user_id
        _log_role(membership, before=before.role if same_person else None, by=by)
    return membership


def membership_delete(*, membership: Membership, by=None) -> None:
    """Removes a membership (never the last organizer's); the person's staff status follows.
    An active member's removal is in the transparency log, as membership_remove's is."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return
        ensure_not_last_organizer(current)
        user = current.user
        current.delete()
        _sync_organizer_status(user)
        if current.status == MembershipStatus.ACTIVE:
            log_record(group=current.group_id, kind=LogKind.MEMBER_REMOVED, by=by)


def group_delete(*, group: Group) -> int:
    """Deletes the group and all it holds (a superuser's command, never the admin)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The transparency log's trigger lets its rows go only with the whole group.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL potluck.deleting_group = 'on'")
        users = list({m.user for m in group.memberships.select_related("user")})
        deleted, _by_model = group.delete()
        for user in users:
            _sync_organizer_status(user)
    return deleted


def membership_set_role(*, membership: Membership, role: str, by=None) -> Membership:
    """Changes a role; the "Organizers" permission group and staff status follow, and a role
    granted or taken away is in the transparency log."""
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role in ORGANIZER_ROLES and role not in ORGANIZER_ROLES:
            ensure_not_last_organizer(current)
        before = current.role
        current.role = Role(role)
        current.save(update_fields=["role"])
        _sync_organizer_status(current.user)
        _log_role(current, before=before, by=by)
    return current
