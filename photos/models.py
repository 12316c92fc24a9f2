import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from events.models import Event
from groups.access import membership_exists
from groups.models import Group


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Members only")


class AlbumQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public albums; members-only ones for current members of the group (groups.access)."""
        if user.is_authenticated and user.is_superuser:  # organizers are members
            return self.all()
        return self.filter(Q(visibility=Visibility.PUBLIC) | membership_exists(user, "group"))


class Album(models.Model):
    """A set of photos, usually one event's; each event gets one when its first photo arrives."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="albums")
    event = models.OneToOneField(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="album",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cover_photo = models.ForeignKey(
        "Photo",
        verbose_name=_("cover photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AlbumQuerySet.as_manager()

    class Meta:
        verbose_name = _("album")
        verbose_name_plural = _("albums")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("photos:album", kwargs={"pk": self.pk})


class PhotoStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Pending review")
    HIDDEN = "hidden", _("Hidden")
    # Not stored (yet): seen only by the uploader and organizers, never listed or counted.
    PROCESSING = "processing", _("Being processed")
    REFUSED = "refused", _("Not added")


NOT_STORED = (PhotoStatus.PROCESSING, PhotoStatus.REFUSED)
# Where uploaded bytes wait for the worker (never served; swept by photos.services).
INCOMING = "photos/incoming"


class PhotoQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PhotoStatus.PUBLISHED)

    def stored(self):
        """Photos whose image is stored: not waiting for the worker, not refused by it."""
        return self.exclude(status__in=NOT_STORED)

    def not_stored(self):
        return self.filter(status__in=NOT_STORED)

    def visible_to(self, user):
        """Published photos in albums the user may see."""
        photos = self.published()
        if user.is_authenticated and user.is_superuser:  # organizers are members
            return photos
        return photos.filter(
            Q(album__visibility=Visibility.PUBLIC) | membership_exists(user, "album__group")
        )


def photo_path(instance, filename: str) -> str:
    return f"photos/{instance.album_id}/{filename}"


class Photo(models.Model):
    """An uploaded image, stored only after being decoded and re-encoded without metadata (by
    the task worker: until then the row is PROCESSING and the bytes wait in quarantine)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    image = models.ImageField(_("image"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    # Renditions for the grid and the photo page; made by a background task after upload.
    grid_webp = models.FileField(upload_to=photo_path, blank=True)
    grid_jpeg = models.FileField(upload_to=photo_path, blank=True)
    large_webp = models.FileField(upload_to=photo_path, blank=True)
    large_jpeg = models.FileField(upload_to=photo_path, blank=True)
    grid_height = models.PositiveIntegerField(default=0)
    large_width = models.PositiveIntegerField(default=0)
    large_height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=500, blank=True)
    alt_text = models.CharField(
        _("description for people who can't see the image"), max_length=500, blank=True
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PhotoStatus.choices, default=PhotoStatus.PUBLISHED
    )
    takedown_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    takedown_requested_at = models.DateTimeField(null=True, blank=True)
    # While the worker has it (PROCESSING): the uploaded file's name, shown to the uploader.
    upload_name = models.CharField(_("file name"), max_length=255, blank=True)
    refusal = models.CharField(_("why it was not added"), max_length=500, blank=True)

    objects = PhotoQuerySet.as_manager()

    GRID_WIDTH = 400
    LARGE_WIDTH = 1600

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(takedown_requested_at__isnull=True) | ~Q(status="published"),
                name="photos_photo_takedown_hides",
            ),
        ]
        indexes = [
            models.Index(fields=["album", "status", "uploaded_at"], name="photos_album_idx"),
            # An album's published photos in page order (the album page stops after its
            # rows), and each album's count on the albums list, read from the index alone.
            models.Index(
                fields=["album", "uploaded_at", "id"],
                condition=Q(status=PhotoStatus.PUBLISHED),
                name="photos_published_idx",
            ),
            # The newest published photos that have a grid rendition (home page, profiles):
            # read newest first, the LIMIT stops after a few rows instead of sorting them all.
            models.Index(
                fields=["-uploaded_at", "-id"],
                condition=Q(status=PhotoStatus.PUBLISHED) & ~Q(grid_jpeg=""),
                name="photos_recent_idx",
            ),
        ]

    def __str__(self):
        return self.caption or self.alt_text or f"Photo {self.pk}"

    def get_absolute_url(self):
        return reverse("photos:photo", kwargs={"pk": self.pk})

    @property
    def incoming_name(self) -> str:
        """Where the uploaded bytes wait for the worker: in storage, named by nothing that is
        served (photo_file serves only the fields of file_for)."""
        return f"{INCOMING}/{self.key.hex}"

    @property
    def is_refused(self) -> bool:
        return self.status == PhotoStatus.REFUSED

    @property
    def has_renditions(self) -> bool:
        return bool(self.grid_jpeg and self.large_jpeg)

    def file_url(self, name: str) -> str:
        return reverse("photos:file", kwargs={"key": self.key, "name": name})

    @property
    def grid_webp_url(self) -> str:
        return self.file_url("grid.webp")

    @property
    def grid_jpeg_url(self) -> str:
        return self.file_url("grid.jpg")

    @property
    def large_webp_url(self) -> str:
        return self.file_url("large.webp")

    @property
    def large_jpeg_url(self) -> str:
        return self.file_url("large.jpg")

    @property
    def full_url(self) -> str:
        return self.file_url("full.jpg")

    def file_for(self, name: str):
        return {
            "grid.webp": self.grid_webp,
            "grid.jpg": self.grid_jpeg,
            "large.webp": self.large_webp,
            "large.jpg": self.large_jpeg,
            "full.jpg": self.image,
        }.get(name)


class TakedownStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an organizer")
    HIDDEN = "hidden", _("Photo hidden")
    DISMISSED = "dismissed", _("Dismissed")


class TakedownRequest(models.Model):
    """ "This is me, please remove" from someone whose word alone does not hide the photo (not
    a member of the group, or a member whose address is not verified): the organizers' queue,
    decided in the admin. The photo stays up until an organizer hides it."""

    photo = models.ForeignKey(
        Photo, verbose_name=_("photo"), on_delete=models.CASCADE, related_name="takedown_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TakedownStatus.choices, default=TakedownStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("takedown request")
        verbose_name_plural = _("takedown requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "requested_by"],
                condition=Q(status="open"),
                name="photos_takedown_one_open_per_person",
            ),
        ]

    def __str__(self):
        return str(self.photo)
