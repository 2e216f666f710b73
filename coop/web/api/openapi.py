"""The OpenAPI 3.1 document of the council reports API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

SUPPRESSED = {
    "type": "object",
    "description": "A value withheld to protect small numbers of households; never 0.",
    "required": ["suppressed", "reason", "threshold"],
    "properties": {
        "suppressed": {"const": True},
        "reason": {"enum": ["small", "secondary", "incomplete", "across"]},
        "threshold": {"type": "integer", "minimum": 5},
    },
    "additionalProperties": False,
}

REF = "#/components/schemas/"
VALUE = {"oneOf": [{"type": "integer"}, {"$ref": REF + "Suppressed"}]}
CELL = {
    "type": "object",
    "required": ["households", "figures"],
    "properties": {
        "households": {
            "description": "Households counted; null where the cell is not about households.",
            "oneOf": [{"type": "null"}, {"$ref": REF + "Value"}],
        },
        "figures": {"type": "object", "additionalProperties": {"$ref": REF + "Value"}},
    },
    "additionalProperties": False,
}
TABLE = {
    "type": "object",
    "required": ["id", "definition_key", "title", "definition", "column_labels", "rows"],
    "properties": {
        "id": {"type": "string"},
        "definition_key": {"type": "string"},
        "title": {"type": "string"},
        "definition": {"type": "string"},
        "column_labels": {"type": "array", "items": {"type": "string"}},
        "rows": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "cells", "total"],
                "properties": {
                    "label": {"type": "string"},
                    "cells": {"type": "array", "items": {"$ref": REF + "Cell"}},
                    "total": {"$ref": REF + "Cell"},
                },
                "additionalProperties": False,
            },
        },
        "column_totals": {"type": "array", "items": {"$ref": REF + "Cell"}},
        "total": {"$ref": REF + "Cell"},
    },
    "additionalProperties": False,
}
RATIO = {
    "type": "object",
    "required": ["numerator", "denominator"],
    "properties": {"numerator": {"type": "integer"}, "denominator": {"type": "integer"}},
    "additionalProperties": False,
}
DATE = {"type": "string", "format": "date"}
REPORT = {
    "type": "object",
    "required": [
        "council",
        "period",
        "coops",
        "threshold",
        "produced_at",
        "reference_price_method",
        "imd_edition",
        "definitions",
        "tables",
        "headline",
        "derived",
    ],
    "properties": {
        "council": {
            "type": "object",
            "required": ["name", "gss_code"],
            "properties": {"name": {"type": "string"}, "gss_code": {"type": "string"}},
            "additionalProperties": False,
        },
        "period": {
            "type": "object",
            "required": ["from", "to", "label"],
            "properties": {"from": DATE, "to": DATE, "label": {"type": "string"}},
            "additionalProperties": False,
        },
        "coops": {"type": "array", "items": {"type": "string"}},
        "threshold": {"type": "integer", "minimum": 5},
        "produced_at": {"type": "string", "format": "date-time"},
        "reference_price_method": {"type": "string"},
        "imd_edition": {"type": ["string", "null"]},
        "postcode_directory": {"type": ["string", "null"]},
        "volunteer_rate": {
            "type": "object",
            "required": ["pence_per_hour", "source"],
            "properties": {"pence_per_hour": {"type": "integer"}, "source": {"type": "string"}},
            "additionalProperties": False,
        },
        "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
        "tables": {"type": "array", "items": {"$ref": REF + "Table"}},
        "headline": {
            "type": "object",
            "additionalProperties": {"oneOf": [{"type": "null"}, {"$ref": REF + "Value"}]},
        },
        "derived": {
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    {"type": "null"},
                    {"$ref": REF + "Ratio"},
                    {"$ref": REF + "Suppressed"},
                ]
            },
        },
        "reference_sources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["source", "earliest", "latest", "items"],
                "properties": {
                    "source": {"type": "string"},
                    "earliest": {"oneOf": [{"type": "null"}, DATE]},
                    "latest": {"oneOf": [{"type": "null"}, DATE]},
                    "items": {"type": "integer"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
            "additionalProperties": False,
        }
    },
    "additionalProperties": False,
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF + "Error"}}},
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "coop council reports",
        "version": "1.0.0",
        "description": (
            "Read-only council reports: the same figures as the officers' report pages, "
            "with small numbers of households already suppressed."
        ),
    },
    "paths": {
        "/api/v1/councils/{gss}/reports": {
            "get": {
                "operationId": "councilReport",
                "summary": "A council's report for a period",
                "security": [{"bearerToken": []}],
                "parameters": [
                    {
                        "name": "gss",
                        "in": "path",
                        "required": True,
                        "description": "The council's GSS code, such as E07000123.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "description": "The first day, YYYY-MM-DD.",
                        "schema": DATE,
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "description": "The last day, YYYY-MM-DD; at most 5 years after the first.",
                        "schema": DATE,
                    },
                    {
                        "name": "coop",
                        "in": "query",
                        "required": False,
                        "description": "Co-op ids to count (repeat it); every co-op when absent.",
                        "schema": {"type": "array", "items": {"type": "integer"}},
                        "style": "form",
                        "explode": True,
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The report.",
                        "content": {"application/json": {"schema": {"$ref": REF + "Report"}}},
                    },
                    "400": _error("A malformed date, a bad period or a co-op outside the council."),
                    "401": _error("No token, or one that is wrong or revoked."),
                    "403": _error("The token is another council's."),
                    "404": _error("No council has that GSS code."),
                    "429": _error("Too many requests with this token; try again later."),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token an officer makes on the council's API tokens page.",
            }
        },
        "schemas": {
            "Suppressed": SUPPRESSED,
            "Value": VALUE,
            "Cell": CELL,
            "Table": TABLE,
            "Ratio": RATIO,
            "Report": REPORT,
            "Error": ERROR,
        },
    },
}
