from .models import Group


def current_group(request):
    """Puts the site's group in every template: request.group, as the group middleware read it
    (fetched here for a request that did not pass through it)."""
    if not hasattr(request, "group"):
        request.group = Group.objects.current()
    return {"group": request.group}
