from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.generic import DetailView, ListView

from core import counts, uploads
from core.db import subquery_count
from events.models import Event, by_slug
from groups.access import viewer
from groups.visibility import allowed

from . import services
from .forms import FILES_PER_REQUEST, DescribeForm, UploadForm
from .models import NOT_STORED, Album, Photo, PhotoStatus, Visibility

ALBUMS_PER_PAGE = 24
PHOTOS_PER_PAGE = 60


def _published_count():
    return subquery_count(Photo.objects.published().filter(album=OuterRef("pk")), "album")


# The most recent event's album first, then by creation (where an album of no event goes is
# where the database sorts NULL: first on PostgreSQL).
ALBUM_ORDER = ("-event__starts_at", "-created_at", "-pk")


class AlbumListView(counts.CountOncePerChangeMixin, ListView):
    template_name = "photos/albums.html"
    context_object_name = "albums"
    paginate_by = ALBUMS_PER_PAGE

    def get_queryset(self):
        """Only what the count and the order need: the page's rows are joined afterwards."""
        return Album.objects.visible_to(self.request.user).order_by(*ALBUM_ORDER)

    def paginate_queryset(self, queryset, page_size):
        """Paginate first, then join the event and cover and count photos for the page's
        albums alone, in the same query (its ids are a LIMIT subquery)."""
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = (
            Album.objects.filter(pk__in=rows.values("pk"))
            .select_related("event", "cover_photo")
            .annotate(photo_count=_published_count())
            .order_by(*ALBUM_ORDER)
        )
        return paginator, page, page.object_list, is_paginated


class AlbumDetailView(DetailView):
    template_name = "photos/album.html"
    context_object_name = "album"

    def get_queryset(self):
        return Album.objects.visible_to(self.request.user).select_related("event")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        photos = Photo.objects.visible_to(self.request.user).filter(album=self.object)
        pages = counts.paginator(
            self.request, photos.order_by("uploaded_at", "pk"), PHOTOS_PER_PAGE
        )
        page = pages.get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            paginator=pages,
            is_paginated=page.has_other_pages(),
            photos=page.object_list,
            can_upload=services.can_upload(self.request.user, self.object),
            not_stored=_not_stored(self.request.user, self.object),
        )
        return context


def _not_stored(user, album: Album) -> list[Photo]:
    """The viewer's own uploads to the album that the worker has not stored (yet): processing,
    or refused with the reason."""
    if not user.is_authenticated:
        return []
    return list(
        Photo.objects.not_stored()
        .filter(album=album, uploaded_by=user)
        .order_by("uploaded_at", "pk")
    )


class PhotoDetailView(DetailView):
    template_name = "photos/photo.html"
    context_object_name = "photo"

    def get_queryset(self):
        return Photo.objects.visible_to(self.request.user).select_related(
            "album", "album__event", "uploaded_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        photo = self.object
        user = self.request.user
        siblings = Photo.objects.visible_to(user).filter(album=photo.album)
        earlier = Q(uploaded_at__lt=photo.uploaded_at) | Q(
            uploaded_at=photo.uploaded_at, pk__lt=photo.pk
        )
        later = Q(uploaded_at__gt=photo.uploaded_at) | Q(
            uploaded_at=photo.uploaded_at, pk__gt=photo.pk
        )
        context["previous"] = siblings.filter(earlier).order_by("-uploaded_at", "-pk").first()
        context["next"] = siblings.filter(later).order_by("uploaded_at", "pk").first()
        context["is_organizer"] = viewer(self.request).is_organizer
        context["is_uploader"] = user.is_authenticated and photo.uploaded_by_id == user.pk
        return context


@require_safe
def photo_file(request, key, name):
    """Serves a rendition only to whoever may see the photo; originals are never kept."""
    photo = get_object_or_404(Photo.objects.select_related("album"), key=key)
    user = request.user
    # "Members only" means a current membership (groups.access), as everywhere.
    looking = viewer(request)
    member = allowed(looking, "members_only_photos")
    visible = (
        (
            photo.status == PhotoStatus.PUBLISHED
            and (photo.album.visibility == Visibility.PUBLIC or member)
        )
        or looking.is_organizer
        or (user.is_authenticated and photo.uploaded_by_id == user.pk)
    )
    if not visible:
        raise Http404
    if name == "full.jpg" and not member:
        raise Http404  # the full-size download is for members
    field = photo.file_for(name)
    if not field:
        raise Http404
    content_type = "image/webp" if name.endswith(".webp") else "image/jpeg"
    with field.open("rb") as stored:  # renditions are small; read whole, close at once
        response = HttpResponse(stored.read(), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if name == "full.jpg":
        response["Content-Disposition"] = f'attachment; filename="photo-{photo.pk}.jpg"'
    public = photo.album.visibility == Visibility.PUBLIC and photo.status == PhotoStatus.PUBLISHED
    if public and name != "full.jpg":
        patch_cache_control(response, public=True, max_age=86400)
    else:
        patch_cache_control(response, private=True, max_age=3600)
        patch_vary_headers(response, ["Cookie"])
    return response


def _upload(request, album: Album, *, back_url: str):
    if not services.can_upload(request.user, album):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    describe_url = ""  # the photos kept when others were refused: describe them still
    if request.method == "POST" and form.is_valid():
        try:
            services.uploads_allowed(
                member=request.user, album=album, count=len(form.cleaned_data["files"])
            )
        except ValidationError as error:
            form.add_error("files", error)
            context = {
                "album": album,
                "form": form,
                "back_url": back_url,
                "not_stored": _not_stored(request.user, album),
                "describe_url": "",
            }
            return TemplateResponse(request, "photos/upload.html", context, status=429)
        added, refused, full = [], [], False
        for upload in form.cleaned_data["files"]:
            try:
                added.append(
                    services.photo_add(
                        album=album,
                        uploaded_by=request.user,
                        file=upload,
                        caption=form.cleaned_data["caption"],
                    )
                )
            except ValidationError as error:
                refused.extend(error.messages)
            except uploads.StorageFull as error:
                # Nothing of this file was kept; the next ones would not fit either.
                refused.append(error.message)
                full = True
                break
        if added:
            # The worker may be done already (the immediate backend of development and tests):
            # a photo it refused is not counted, its reason shows with the album.
            statuses = list(
                Photo.objects.filter(pk__in=[p.pk for p in added]).values_list("status", flat=True)
            )
            count = sum(1 for s in statuses if s != PhotoStatus.REFUSED)
            if PhotoStatus.PENDING in statuses or (
                album.group.uploads_need_approval and not viewer(request).is_organizer
            ):
                later = " " + _("They will appear once an organizer approves them.")
            elif PhotoStatus.PROCESSING in statuses:
                later = " " + _("They will appear in a moment, once they are processed.")
            else:
                later = ""
            if count:
                messages.success(
                    request,
                    ngettext("%d photo added.", "%d photos added.", count) % count + later,
                )
        # Then what each photo shows, one field per photo (describe).
        # (the worker may have refused some already: that page leaves them out)
        kept = [photo.pk for photo in added]
        after = _describe_url(album, kept) if kept else album.get_absolute_url()
        if not refused:
            if request.headers.get("X-Upload-Progress") == "1":
                # The progress script follows this itself, so the message shows once.
                return JsonResponse({"redirect": after})
            return redirect(after)
        for reason in refused:
            form.add_error("files", reason)
        status = 507 if full else 400
        describe_url = _describe_url(album, kept) if kept else ""
    elif request.method == "POST":
        status = 400
    context = {
        "album": album,
        "form": form,
        "back_url": back_url,
        "not_stored": _not_stored(request.user, album),
        "describe_url": describe_url,
    }
    return TemplateResponse(request, "photos/upload.html", context, status=status)


def _describe_url(album: Album, photo_ids: list[int]) -> str:
    query = urlencode({"photos": ",".join(str(pk) for pk in photo_ids)})
    return f"{reverse('photos:describe', args=[album.pk])}?{query}"


def _photo_ids(value: str) -> list[int]:
    parts = value.split(",")[:FILES_PER_REQUEST]
    return [int(part) for part in parts if part.isdigit() and len(part) < 12]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def describe(request, pk):
    """The upload's second step: a description (alt text) for each photo just added, each in
    its own field; only the uploader's own photos, none another's."""
    album = get_object_or_404(Album, pk=pk)
    photos = list(
        Photo.objects.filter(
            album=album, uploaded_by=request.user, pk__in=_photo_ids(request.GET.get("photos", ""))
        )
        .exclude(status=PhotoStatus.REFUSED)
        .order_by("pk")
    )
    if not photos:
        return redirect(album.get_absolute_url())
    form = DescribeForm(request.POST if request.method == "POST" else None, photos=photos)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.photos_describe(member=request.user, photos=photos, texts=form.texts())
            messages.success(request, _("Your descriptions are saved."))
            return redirect(album.get_absolute_url())
        status = 400
    context = {"album": album, "form": form}
    return TemplateResponse(request, "photos/describe.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload_to_album(request, pk):
    album = get_object_or_404(Album, pk=pk)
    return _upload(request, album, back_url=album.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload_to_event(request, slug):
    event = get_object_or_404(by_slug(Event.objects.published(), slug))
    album = Album.objects.filter(event=event).first()
    if album is None:
        if not services.can_upload(request.user, Album(event=event, group_id=event.group_id)):
            raise PermissionDenied
        album = services.album_for_event(event=event, by=request.user)
    return _upload(request, album, back_url=event.get_absolute_url())


def _photo_for(request, pk) -> Photo:
    return get_object_or_404(Photo.objects.select_related("album"), pk=pk)


@login_required
@require_POST
def takedown(request, pk):
    photo = _photo_for(request, pk)
    if not Photo.objects.visible_to(request.user).filter(pk=photo.pk).exists():
        raise Http404
    try:
        outcome = services.photo_request_takedown(photo=photo, member=request.user)
    except PermissionDenied as refused:
        if not refused.args:
            raise
        return render(request, "403.html", {"refusal": refused.args[0]}, status=403)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(photo.get_absolute_url())
    if outcome == services.TakedownOutcome.QUEUED:
        messages.success(
            request,
            _(
                "Thank you. The organizers will review your request and take the photo down "
                "if it should not be shown; until then it stays up."
            ),
        )
        return redirect(photo.get_absolute_url())
    messages.success(
        request,
        _(
            "The photo is hidden now. An organizer will look at your request "
            "and remove it for good."
        ),
    )
    return redirect(photo.album.get_absolute_url())


@login_required
@require_POST
def delete(request, pk):
    photo = _photo_for(request, pk)
    services.photo_delete(photo=photo, member=request.user)
    messages.success(request, _("The photo was deleted."))
    return redirect(photo.album.get_absolute_url())


@login_required
@require_POST
def set_status(request, pk):
    photo = _photo_for(request, pk)
    status = request.POST.get("status", "")
    if status not in (PhotoStatus.PUBLISHED, PhotoStatus.HIDDEN) or photo.status in NOT_STORED:
        raise Http404
    services.photo_set_status(photo=photo, status=status, by=request.user)
    messages.success(
        request,
        _("The photo's status is now “%(status)s”.") % {"status": PhotoStatus(status).label},
    )
    return redirect(photo.album.get_absolute_url())


# The recap of an evening that has ended shows its album's first photos (events.hooks).
RECAP_PHOTOS = 6


def event_photos_context(request, event: Event) -> dict:
    """The photo strip near the top of an ended evening's recap: the first photos of its
    album that this person may see, in the album's order, and the album's address
    (registered on events.hooks.event_page_context; nothing for other event pages)."""
    if not event.has_ended or event.is_cancelled:
        return {}
    photos = list(
        Photo.objects.visible_to(request.user)
        .filter(album__event=event)
        .exclude(grid_jpeg="")
        .order_by("uploaded_at", "pk")[:RECAP_PHOTOS]
    )
    album_url = reverse("photos:album", kwargs={"pk": photos[0].album_id}) if photos else ""
    return {"recap_photos": photos, "recap_album_url": album_url}
