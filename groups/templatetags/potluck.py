from django import template

from groups.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """Renders organizer Markdown to sanitized HTML."""
    return render_markdown(value)
