"""/api/docs/: the API described from its own OpenAPI schema, as a plain page of the site
(no script, no other origin: django-ninja's Swagger page loads both)."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .endpoints import api

METHODS = ("get", "head")
# The schema speaks English to developers; the page speaks the reader's language.
SUMMARIES = {
    "/api/": _("Where everything is."),
    "/api/events/": _(
        "Events: upcoming ones soonest first, or past ones (when=past) most recent first."
    ),
    "/api/events/{ref}/": _("One event, by slug or id, with its program, breakouts and speakers."),
    "/api/series/": _("The group's series, by name."),
    "/api/speakers/": _("Speakers, by name."),
}
STATUSES = {
    "200": _("The answer."),
    "400": _("The address asks for something the API cannot give."),
    "404": _("Nothing public answers to this address."),
    "422": _("A parameter is not what it should be."),
}


@require_safe
def docs(request):
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,  # the schema's paths are the site's (/api/…)
                    "summary": SUMMARIES.get(path, operation.get("summary", "")),
                    "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                    "responses": [
                        {
                            "status": status,
                            "description": STATUSES.get(status, ""),
                            "shape": _shape(answer, components),
                        }
                        for status, answer in operation["responses"].items()
                    ],
                }
            )
    return render(request, "api/docs.html", {"operations": operations})


def _parameter(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    kind = schema.get("type") or " | ".join(
        part.get("type", "") for part in schema.get("anyOf", []) if part.get("type") != "null"
    )
    if "enum" in schema:
        kind = " | ".join(schema["enum"])
    return {
        "name": parameter["name"],
        "kind": kind or "string",
        "format": schema.get("format", ""),
        "default": schema.get("default", ""),
        "required": parameter.get("required", False),
        "where": parameter.get("in", ""),
    }


def _shape(answer: dict, components: dict) -> list[tuple[str, str]]:
    """The fields of a response's schema: [(name, type)]."""
    ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    schema = components.get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return [(name, _kind(field)) for name, field in schema.get("properties", {}).items()]


def _kind(field: dict) -> str:
    if "$ref" in field:
        return field["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in field:
        return " | ".join(_kind(part) for part in field["anyOf"])
    if field.get("type") == "array":
        return f"list of {_kind(field.get('items', {}))}"
    return field.get("format") or field.get("type", "")
