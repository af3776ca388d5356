"""The OpenAPI 3.1 document of ``/api/v1`` (its schemas are JSON Schema 2020-12, so tests
validate real responses against them)."""

from __future__ import annotations

from typing import Any

from portal.bounds import MAX_ID, MAX_PAGE
from portal.journey.kinds import EVENT_KINDS

_NULLABLE_STR = {"type": ["string", "null"]}
_DATETIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


# Money per currency, never summed across currencies: {"USD": 12000, "EUR": 500}.
_PER_CURRENCY = {
    "type": "object",
    "propertyNames": {"pattern": "^[A-Z]{3}$"},
    "additionalProperties": {"type": "integer", "description": "Minor units."},
}

SCHEMAS: dict[str, Any] = {
    "Named": _obj({"id": {"type": "integer"}, "name": _NULLABLE_STR}),
    "Account": _obj(
        {"id": {"type": "integer"}, "name": {"type": "string"}, "domain": _NULLABLE_STR}
    ),
    "StageRef": _obj(
        {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "probability": {"type": "integer", "minimum": 0, "maximum": 100},
        }
    ),
    "ValueSource": _obj(
        {
            "kind": {
                "type": "string",
                "enum": ["paid", "order", "quote", "cart", "refunded", "tried"],
            },
            "label": {"type": "string", "examples": ["open invoice order TD-48"]},
            "url": {"type": ["string", "null"], "format": "uri"},
        }
    ),
    "Pipeline": _obj(
        {
            "open": _obj({"count": {"type": "integer"}, "value": _PER_CURRENCY}),
            "weighted": _PER_CURRENCY,
            "won": _obj({"count": {"type": "integer"}, "value": _PER_CURRENCY}),
            "lost": {"type": "integer"},
            "stages": {
                "type": "array",
                "items": _obj(
                    {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "probability": {"type": "integer"},
                        "count": {"type": "integer"},
                        "value": _PER_CURRENCY,
                        "weighted": _PER_CURRENCY,
                    }
                ),
            },
            "forecast": {
                "type": "array",
                "items": _obj(
                    {
                        "month": {"type": "string"},
                        "start": {"type": ["string", "null"], "format": "date"},
                        "value": _PER_CURRENCY,
                    }
                ),
            },
        }
    ),
    "Deal": _obj(
        {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "account": _ref("Account"),
            "stage": {"oneOf": [_ref("StageRef"), {"type": "null"}]},
            "status": {
                "type": "string",
                "enum": ["open", "won", "lost"],
                "description": "open = not in the won stage and not lost.",
            },
            "lost_reason": _NULLABLE_STR,
            "value": {"type": "integer", "description": "Minor units of `currency`."},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "value_source": {
                "oneOf": [_ref("ValueSource"), {"type": "null"}],
                "description": "The strongest signal the value (net of tax) comes from.",
            },
            "score": {"type": "number", "minimum": 0},
            "owner": {"oneOf": [_ref("Named"), {"type": "null"}]},
            "people": {"type": "array", "items": _ref("Named")},
            "products": {"type": "array", "items": _ref("Named")},
            "opened_at": _DATETIME,
            "stage_entered_at": _DATETIME,
            "last_activity_at": _DATETIME,
            "stalled": {"type": "boolean"},
        }
    ),
    "Event": _obj(
        {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": sorted(EVENT_KINDS)},
            "occurred_at": _DATETIME,
            "user_id": {"type": ["integer", "null"]},
            "product_id": {"type": ["integer", "null"]},
            "props": {"type": "object"},
            "text": {"type": "string", "description": "The event in plain words."},
        }
    ),
    "Page": _obj(
        {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        }
    ),
    "Error": _obj(
        {
            "error": {"type": "string"},
            "detail": {"type": "string"},
            "status": {"type": "integer"},
        }
    ),
}
SCHEMAS["DealDetail"] = {
    "allOf": [
        {**SCHEMAS["Deal"], "additionalProperties": True},
        {
            "type": "object",
            "properties": {
                "counters": {"type": "object", "additionalProperties": {"type": "integer"}}
            },
            "required": ["counters"],
        },
    ]
}
SCHEMAS["DealList"] = {
    "allOf": [
        {**SCHEMAS["Page"], "additionalProperties": True},
        {
            "type": "object",
            "properties": {"deals": {"type": "array", "items": _ref("Deal")}},
            "required": ["deals"],
        },
    ]
}
SCHEMAS["EventList"] = {
    "allOf": [
        {**SCHEMAS["Page"], "additionalProperties": True},
        {
            "type": "object",
            "properties": {"events": {"type": "array", "items": _ref("Event")}},
            "required": ["events"],
        },
    ]
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_PAGING = [
    _query(
        "page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."
    ),
    _query(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
        "Items per page.",
    ),
]
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_DEAL_ID = {"name": "deal_id", "in": "path", "required": True, "schema": _ID}


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(schema_name)}},
    }


_ERRORS = {
    "401": _json("Error", "No token, or an unknown or revoked one."),
    "422": _json("Error", "A parameter is out of range or not a number where one is needed."),
}


_PIPELINE_PATH = {
    "get": {
        "operationId": "getPipeline",
        "summary": "Open, weighted and won value per stage and currency; forecast",
        "parameters": [_query("product", _ID, "Deals that touched a product.")],
        "responses": {"200": _json("Pipeline", "The figures."), **_ERRORS},
    }
}


_DEALS_PATH = {
    "get": {
        "operationId": "listDeals",
        "summary": "Deals matching the board's filters",
        "parameters": [
            *_PAGING,
            _query("stage", _ID, "Only deals in this stage."),
            _query("product", _ID, "Deals that touched a product."),
            _query("owner", {"type": "string"}, "'me', 'none' or a seller's id."),
            _query("score_min", {"type": "number"}, "Lowest engagement score."),
            _query("score_max", {"type": "number"}, "Highest engagement score."),
            _query("stalled", {"type": "string", "enum": ["1"]}, "Stalled only."),
            _query("q", {"type": "string"}, "Text in the account name or domain."),
            _query(
                "sort",
                {
                    "type": "string",
                    "enum": ["score", "value", "activity", "days", "name"],
                },
                "Order.",
            ),
            _query(
                "status",
                {"type": "string", "enum": ["open", "lost", "all"]},
                "Open (default), lost or all deals.",
            ),
        ],
        "responses": {"200": _json("DealList", "A page of deals."), **_ERRORS},
    }
}


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Testdrive pipeline API",
            "version": "1.0.0",
            "description": "Deals derived from buyers' journeys. Authenticate with a bearer "
            "token created under Pipeline → API tokens.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/pipeline": _PIPELINE_PATH,
            "/deals": _DEALS_PATH,
            "/deals/{deal_id}": {
                "get": {
                    "operationId": "getDeal",
                    "summary": "One deal with its event counters",
                    "parameters": [_DEAL_ID],
                    "responses": {
                        "200": _json("DealDetail", "The deal."),
                        "404": _json("Error", "No such deal."),
                        **_ERRORS,
                    },
                }
            },
            "/deals/{deal_id}/events": {
                "get": {
                    "operationId": "listDealEvents",
                    "summary": "The deal's journey events, newest first",
                    "parameters": [_DEAL_ID, *_PAGING],
                    "responses": {
                        "200": _json("EventList", "A page of events."),
                        "404": _json("Error", "No such deal."),
                        **_ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }
