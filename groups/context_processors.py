from .models import Group


def current_group(request):
    """Puts the site's group in every template, fetched once per request."""
    if not hasattr(request, "_potluck_group"):
        request._potluck_group = Group.objects.current()
    return {"group": request._potluck_group}
