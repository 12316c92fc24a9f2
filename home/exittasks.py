"""Building the exit bundle in the task worker, one build at a time per group."""

import logging
import os
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from core import generations
from groups.models import Group

from . import exitbundle
from .models import ExitBundle, ExitBundleState

logger = logging.getLogger(__name__)

LIFETIME = timedelta(days=7)


def exit_bundle_start(*, group: Group, by) -> ExitBundle:
    """Queues a build, or ValidationError when one is already under way for the group."""
    exit_bundles_expire()
    try:
        with transaction.atomic():
            bundle = ExitBundle.objects.create(group=group, requested_by=by)
            transaction.on_commit(lambda: exit_bundle_build.enqueue(bundle_id=bundle.pk))
    except IntegrityError as error:
        raise ValidationError(
            _("A bundle is already being built; wait for it to finish."), code="busy"
        ) from error
    return bundle


def exit_bundles_expire(*, now=None) -> int:
    """Deletes the archives whose time is up; their rows stay, marked expired."""
    now = now or timezone.now()
    count = 0
    for bundle in ExitBundle.objects.filter(state=ExitBundleState.READY, expires_at__lte=now):
        if bundle.archive:
            bundle.archive.delete(save=False)
        bundle.state = ExitBundleState.EXPIRED
        bundle.save(update_fields=["archive", "state"])
        count += 1
    return count


def periodic() -> str:
    """What send_reminders runs for the exit bundle (core.hooks.periodic)."""
    return f"{exit_bundles_expire()} exit bundles expired"


@task()
def exit_bundle_build(*, bundle_id: int) -> str:
    """Crawls the public site as a visitor, writes the ZIP, stores it in the media storage."""
    bundle = ExitBundle.objects.filter(pk=bundle_id, state=ExitBundleState.QUEUED).first()
    if bundle is None:
        return "gone"
    bundle.state = ExitBundleState.BUILDING
    bundle.save(update_fields=["state"])

    def progress(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            generations.update(
                ExitBundle.objects.filter(pk=bundle.pk), pages_done=done, pages_total=total
            )

    name = None
    try:
        folder = f"{bundle.group.slug}-site"
        name, crawled = exitbundle.build_zip(folder=folder, progress=progress)
        stamp = timezone.now()
        with open(name, "rb") as handle:
            # A folder nobody can guess (the media storage serves nothing directly, but still).
            stored = f"{secrets.token_hex(16)}/{folder}-{stamp:%Y%m%d-%H%M%S}.zip"
            bundle.archive.save(stored, File(handle), save=False)
        bundle.size = os.path.getsize(name)
        bundle.pages_done = bundle.pages_total = len(crawled.bodies)
        bundle.errors = "\n".join(crawled.errors)
        bundle.state = ExitBundleState.READY
        bundle.expires_at = stamp + LIFETIME
        bundle.finished_at = timezone.now()
        bundle.save()
    except Exception as error:
        logger.exception("Exit bundle %s failed", bundle.pk)
        bundle.state = ExitBundleState.FAILED
        bundle.errors = f"{type(error).__name__}: {error}"
        bundle.finished_at = timezone.now()
        bundle.save(update_fields=["state", "errors", "finished_at"])
    finally:
        if name:
            os.unlink(name)
    return bundle.state
