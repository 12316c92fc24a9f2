import random
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from events import services as event_services
from photos.models import Album, Photo
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALT_TEXT = "Members sharing food around a long table"
ALT_OTHER = "Two members laughing in a garden"
REFUSAL = "fake.jpg was not added: it is not a JPEG, PNG or WebP image."
# Chromium logs every 4xx/5xx answer to a fetch or XHR as a console error. The upload form
# answers 400 when a file was refused, and upload.js shows that answer, so this one is expected.
XHR_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


def _recorded_page(context):
    """A tab in another context that records what _page_ in conftest records."""
    tab = context.new_page()
    tab.requested_urls = []
    tab.console_errors = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    return tab


def _photo_file(path, seed):
    """A 1200×800 picture with a gradient, shapes and some grain, like a small real photo."""
    rng = random.Random(seed)
    width, height = 1200, 800
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge(
        "RGB",
        (
            gradient,
            gradient.rotate(90).resize((width, height)),
            gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        ),
    )
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 160)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=colour)
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    Image.blend(image, grain, 0.12).save(path)
    return path


def _going_member_event(member):
    """An upcoming published event the member said they are going to."""
    event = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    event_services.rsvp_set(event=event, member=member, going=True)
    return event


def _grid_images(page):
    return page.get_by_role("list", name="Photos in this album").get_by_role("img")


def test_upload_with_progress_adds_two_photos_and_names_the_refused_one(
    page, live_server, member, password, tmp_path
):
    event = _going_member_event(member)
    files = [
        _photo_file(tmp_path / "table.jpg", seed=1),
        _photo_file(tmp_path / "garden.png", seed=2),
        tmp_path / "fake.jpg",
    ]
    files[2].write_text("This is a text file, not a JPEG.\n")
    log_in(page, member.email, password)
    page.goto(f"/events/{event.slug}/photos/upload/")
    expect(page.locator("#upload-status")).to_be_hidden()

    # upload.js sets the bar's value, which <progress> reflects as an attribute, then replaces
    # the whole document with the answer: record what the bar showed while it was there.
    seen = []
    page.expose_function("recordUploadProgress", lambda hidden, value: seen.append((hidden, value)))
    page.evaluate(
        """() => {
            const status = document.getElementById("upload-status");
            const bar = document.getElementById("upload-progress");
            const record = () => window.recordUploadProgress(status.hidden, bar.value);
            new MutationObserver(record).observe(status, {attributes: true});
            new MutationObserver(record).observe(bar, {attributes: true});
        }"""
    )
    page.get_by_label("Photos", exact=True).set_input_files(files)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.resource_type == "xhr"
    ) as posted:
        page.get_by_role("button", name="Upload").click()
    assert posted.value.status == 400

    expect(page.locator("#id_files_error")).to_have_text(REFUSAL)
    expect(page.get_by_label("Photos", exact=True)).to_have_attribute(
        "aria-describedby", "id_files_helptext id_files_error"
    )
    expect(page.locator(".messages")).to_have_text("2 photos added.")
    assert seen[:1] == [(False, 0)]  # the status with its bar appeared before sending
    assert seen[-1:] == [(False, 100)]
    assert [value for _, value in seen] == sorted(value for _, value in seen)
    assert axe_violations(page) == []

    # The two kept still get a description each, from the link beside the refusal.
    page.get_by_role("link", name="Say what each of the photos added shows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Describe your photos")
    page.get_by_label("What photo 1 shows").fill(ALT_TEXT)
    page.get_by_label("What photo 2 shows").fill(ALT_OTHER)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the descriptions").click()

    album = Album.objects.get(event=event)
    expect(page).to_have_url(f"{live_server.url}{album.get_absolute_url()}")
    expect(page.locator(".messages")).to_have_text("Your descriptions are saved.")
    photos = list(Photo.objects.filter(album=album).order_by("pk"))
    assert [(p.alt_text, p.has_renditions, p.uploaded_by_id) for p in photos] == [
        (ALT_TEXT, True, member.pk),
        (ALT_OTHER, True, member.pk),
    ]

    images = _grid_images(page)
    expect(images).to_have_count(2)
    assert sorted(images.nth(i).get_attribute("alt") for i in range(2)) == sorted(
        [ALT_TEXT, ALT_OTHER]
    )
    for i in range(2):
        # Loaded and decoded: the WebP grid rendition, 400 px wide. The grid's images are
        # lazy, so the load event may come before they finish: wait until each has.
        page.wait_for_function("img => img.complete", arg=images.nth(i).element_handle())
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth") == 400
    assert axe_violations(page) == []

    page.get_by_role("link", name=ALT_TEXT).click()
    expect(page).to_have_url(f"{live_server.url}{photos[0].get_absolute_url()}")
    expect(page.get_by_role("img", name=ALT_TEXT)).to_have_count(1)
    assert axe_violations(page) == []

    grid_files = [u for u in page.requested_urls if u.endswith("/grid.webp")]
    assert sorted(grid_files) == sorted(f"{live_server.url}{p.grid_webp_url}" for p in photos)
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == [XHR_400]


def test_upload_without_javascript_then_a_description_for_each_photo(
    browser, live_server, member, password, tmp_path
):
    event = _going_member_event(member)
    files = [
        _photo_file(tmp_path / "one.jpg", seed=3),
        _photo_file(tmp_path / "two.png", seed=4),
    ]
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = _recorded_page(context)
        log_in(page, member.email, password)
        page.goto(f"/events/{event.slug}/photos/upload/")
        expect(page.locator("#upload-status")).to_be_hidden()
        page.get_by_label("Photos", exact=True).set_input_files(files)
        page.get_by_role("button", name="Upload").click()

        # The second step: each photo beside its own field.
        album = Album.objects.get(event=event)
        one, two = Photo.objects.filter(album=album).order_by("pk")
        expect(page).to_have_url(
            f"{live_server.url}/photos/albums/{album.pk}/describe/?photos={one.pk}%2C{two.pk}"
        )
        expect(page.locator(".messages")).to_have_text("2 photos added.")
        expect(page.locator(".describe-row img")).to_have_count(2)  # (axe needs JavaScript)
        page.get_by_label("What photo 1 shows").fill(ALT_TEXT)
        page.get_by_label("What photo 2 shows").fill(ALT_OTHER)
        page.get_by_role("button", name="Save the descriptions").click()

        expect(page).to_have_url(f"{live_server.url}{album.get_absolute_url()}")
        expect(page.locator(".messages")).to_have_text("Your descriptions are saved.")
        images = _grid_images(page)
        expect(images).to_have_count(2)
        alts = sorted(images.nth(i).get_attribute("alt") for i in range(2))
        assert alts == sorted([ALT_TEXT, ALT_OTHER])
        one.refresh_from_db()
        two.refresh_from_db()
        assert (one.alt_text, two.alt_text) == (ALT_TEXT, ALT_OTHER)
        assert [u for u in page.requested_urls if u.endswith(".js")] == []
        assert third_party_requests(page, live_server.url) == []
        assert page.console_errors == []
    finally:
        context.close()


def test_upload_with_javascript_all_accepted_shows_the_album_with_message(
    page, live_server, member, password, tmp_path
):
    event = _going_member_event(member)
    files = [
        _photo_file(tmp_path / "one.jpg", seed=6),
        _photo_file(tmp_path / "two.png", seed=7),
    ]
    log_in(page, member.email, password)
    page.goto(f"/events/{event.slug}/photos/upload/")
    page.get_by_label("Photos", exact=True).set_input_files(files)
    page.get_by_role("button", name="Upload").click()

    # upload.js follows the answer to the second step, where the message shows once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Describe your photos")
    expect(page.locator(".messages")).to_have_text("2 photos added.", timeout=2000)
    page.get_by_role("link", name="Skip for now").click()
    album = Album.objects.get(event=event)
    expect(page).to_have_url(f"{live_server.url}{album.get_absolute_url()}")
    expect(_grid_images(page)).to_have_count(2)
