"""The group's admin form as a browser posts it: every field with the group's current value,
the inlines empty; a test passes only what it changes (None leaves a field out)."""

CHECKBOXES = (
    "join_needs_approval",
    "members_open_polls",
    "comments_may_be_public",
    "members_decide_settings",
)


def group_form(group, **changes) -> dict:
    data = {
        "name": group.name,
        "slug": group.slug,
        "tagline_en": "",
        "about_en": "",
        "step_up_en": "",
        "city": "",
        "time_zone": group.time_zone,
        "contact_email": "",
        "reminder_hours": 24,
        "attendee_lists": group.attendee_lists,
        "embed_origins": group.embed_origins,
    }
    for prefix in ("resource_links", "social_links", "join_questions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({name: "on" for name in CHECKBOXES if getattr(group, name)})
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
