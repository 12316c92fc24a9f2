from core.markdown import render_markdown


def out_of_step(*objects) -> list[str]:
    """The Markdown fields (MARKDOWN_FIELDS) whose stored row's HTML is not what
    render_markdown makes of the stored Markdown; each object is read again first."""
    found = []
    for obj in objects:
        obj.refresh_from_db()
        for name in obj.MARKDOWN_FIELDS:
            if getattr(obj, f"{name}_html") != render_markdown(getattr(obj, name)):
                found.append(f"{obj._meta.label}.{name} #{obj.pk}")
    return found
