"""/api/docs: the API's reference, rendered on the server from the OpenAPI document (no
script, nothing loaded from elsewhere, so the site's strict CSP holds)."""

from flask import Blueprint, render_template

from .openapi import api

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "patch", "put", "delete")


def resolve(spec: dict, schema: dict | None) -> dict:
    """A schema with a top-level $ref replaced by the component it names."""
    schema = schema or {}
    ref = schema.get("$ref")
    if ref and ref.startswith("#/components/schemas/"):
        return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def type_of(spec: dict, schema: dict) -> str:
    """A short type name: string, integer | null, array of Habit, Habit…"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return " | ".join(type_of(spec, option) for option in schema["anyOf"])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    names = []
    for kind in kinds:
        if kind == "array":
            names.append("array of " + type_of(spec, schema.get("items", {})))
        elif schema.get("format") and kind == "string":
            names.append(f"string ({schema['format']})")
        else:
            names.append(kind)
    return " | ".join(names)


def fields_of(spec: dict, schema: dict | None) -> list[dict]:
    """The properties of an object schema, for a table."""
    schema = resolve(spec, schema)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "type": type_of(spec, prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "enum": prop.get("enum"),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(spec: dict) -> list[dict]:
    """Every operation of the document, grouped by tag in the document's order."""
    groups = {tag["name"]: {**tag, "operations": []} for tag in spec.get("tags", [])}
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            responses = [
                {"status": status, "description": response.get("description", "")}
                for status, response in operation.get("responses", {}).items()
            ]
            tag = (operation.get("tags") or ["other"])[0]
            groups.setdefault(tag, {"name": tag, "operations": []})["operations"].append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            **parameter,
                            "type": type_of(spec, parameter.get("schema", {})),
                        }
                        for parameter in item.get("parameters", [])
                        + operation.get("parameters", [])
                    ],
                    "body": fields_of(spec, body["schema"]) if body else None,
                    "responses": responses,
                }
            )
    return list(groups.values())


@bp.route("/api/docs")
def docs():
    """The API reference, for people."""
    spec = api.spec.to_dict()
    schemas = {
        name: fields_of(spec, schema)
        for name, schema in spec.get("components", {}).get("schemas", {}).items()
    }
    return render_template("api/docs.html", spec=spec, groups=operations(spec), schemas=schemas)
