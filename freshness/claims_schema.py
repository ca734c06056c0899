"""The claims file's schema (version 1) as strict pydantic models: no coercion, unknown keys rejected.
Validators raise ValueError with the message the user sees; claims_problems.py turns pydantic's own
error types into messages, claims_reader.py maps each error back to its line and column."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
)

from freshness.categories import unknown_category
from freshness.durations import parse_duration
from freshness.yamlmarks import value_kind

SCHEMA_VERSION = 1
_CLAIM_ID = re.compile(r"^[a-z0-9-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: str) -> str:
    normalised = " ".join(value.split())
    if not normalised:
        raise ValueError("must not be blank")
    return normalised


def _claim_id(value: str) -> str:
    if not _CLAIM_ID.match(value):
        raise ValueError(
            f"{value!r} may only use lowercase letters, digits and '-' (e.g. 'cot-distribution-shift')"
        )
    return value


def _category(value: str) -> str:
    if (problem := unknown_category(value)) is not None:  # only arXiv's real, current categories
        raise ValueError(problem)
    return value


def _duration(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(
            f"must be a duration such as 180d, 26w, 6m or 1y, got {value_kind(value)}"
            + (
                " (a bare number has no unit)"
                if isinstance(value, int) and not isinstance(value, bool)
                else ""
            )
        )
    parse_duration(value)  # checked here, with its line; counted in days from the claim's date in build
    return value.strip().lower()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a day such as 2025-08-02, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.match(text):
            raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-08-02")
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real calendar date ({exc})") from None
    raise ValueError(f"must be a date such as 2025-08-02, got {value_kind(value)}")


def _not_future(value: dt.date, info: ValidationInfo) -> dt.date:
    today = (info.context or {}).get("today")
    if isinstance(today, dt.date) and value > today:
        raise ValueError(f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    return value


def _anchor_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return _TAG_ID
    if isinstance(value, dict):
        return _TAG_MAP
    return None


TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_TAG_ID = "<anchor id>"
_TAG_MAP = "<anchor mapping>"
TAGS = frozenset({_TAG_ID, _TAG_MAP})

_Text = Annotated[str, AfterValidator(_text)]
_ClaimId = Annotated[str, AfterValidator(_claim_id)]
_Category = Annotated[str, AfterValidator(_category)]
_Duration = Annotated[str, BeforeValidator(_duration)]
_Date = Annotated[dt.date, BeforeValidator(_date), AfterValidator(_not_future)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AnchorSpec(_Strict):
    id: _Text
    title: _Text | None = None


_AnchorItem = Annotated[
    Annotated[_Text, Tag(_TAG_ID)] | Annotated[AnchorSpec, Tag(_TAG_MAP)],
    Discriminator(
        _anchor_kind,
        custom_error_type="anchor_type",
        custom_error_message="an anchor is an arXiv id or a mapping with id (and title)",
    ),
]


class OptionalFields(_Strict):
    """The per-claim optional fields; `defaults:` may set any of them."""

    anchors: list[_AnchorItem] | None = None
    categories: list[_Category] | None = None
    shelf_life: _Duration | None = None
    tags: list[_Text] | None = None


class _ClaimSpec(OptionalFields):
    id: _ClaimId
    claim: _Text
    date: _Date
    topics: Annotated[list[_Text], Field(min_length=1)]


_Service = Literal["semantic_scholar", "openalex"]
_SERVICES: tuple[_Service, ...] = ("semantic_scholar", "openalex")


class _CitationsSpec(_Strict):
    """The top-level `citations:` setting: which services to ask who cites the anchors, how often."""

    enabled: bool = True
    services: Annotated[list[_Service], Field(min_length=1, max_length=2)] = Field(
        default_factory=lambda: list(_SERVICES)
    )
    refresh: _Duration = "7d"
    max_pages: Annotated[int, Field(ge=1, le=100)] = 10


class FileSpec(_Strict):
    version: Literal[1]
    defaults: OptionalFields | None = None
    citations: _CitationsSpec | None = None
    claims: Annotated[list[_ClaimSpec], Field(min_length=1)]


ALLOWED = {
    "top": ("version", "defaults", "citations", "claims"),
    "citations": tuple(_CitationsSpec.model_fields),
    "defaults": tuple(OptionalFields.model_fields),
    "claim": ("id", "claim", "date", "topics", *OptionalFields.model_fields),
    "anchor": tuple(AnchorSpec.model_fields),
}
