"""Planning one poll: which sources, over which days, from the stored watermarks (poll.poll_once runs
the plan). `auto` picks the fewest requests that leave no gap:
- a normal night is ONE rss.arxiv.org request for the union of the claims' categories;
- when an announcement day was missed (or on the first poll), OAI-PMH first harvests the days since
  the last covered day (one request per archive and per 2,500 records), then RSS takes today;
- anchors the store does not know yet are looked up by id through the API (100 ids per request).
None of these grow with the number of claims. Also here: arXiv's calendar (announcement days, the
last complete day) and the rule that a watermark dated in the future is not trusted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from freshness.config import Settings
from freshness.errors import ConfigError
from freshness.http import PoliteSession
from freshness.models import AnchorStatus, Claim, SourceState
from freshness.sources.anchor_lookup import AnchorLookupSource
from freshness.sources.base import PaperSource, later_day
from freshness.sources.oai_pmh import OaiPmhSource, oai_key, sets_for
from freshness.sources.rss import RssSource
from freshness.sources.wire import ARXIV_TZ
from freshness.store import Store

# OAI-PMH `from` filters on a record's last metadata change, which can precede its announcement by a
# weekend (a Friday submission is announced on Monday evening's mailing): a catch-up window starts
# this many days before the last covered day. Re-fetched papers are stored as "unchanged".
OVERLAP_DAYS = 4
# A first poll backfills at most this far back; older papers come from `freshness import` (the bulk
# snapshot) or an explicit `--since`.
BACKFILL_MAX_DAYS = 90
# arXiv announces at 20:00 US Eastern; the feed published then is dated the next day.
ANNOUNCE_HOUR = 20
# An anchor arXiv recently said does not exist (checked by `check-anchors` or by a poll) is not asked
# about again by the nightly poll until this much time has passed.
ANCHOR_RECHECK = dt.timedelta(days=7)
SOURCES = ("auto", "rss", "oai", "api")

# Planning's warnings are a poll's: they log under the poll's name, as poll.py's do.
log = logging.getLogger("freshness.poll")


@dataclass(frozen=True)
class PollPlan:
    sources: tuple[PaperSource, ...]
    reason: str
    notes: tuple[str, ...] = field(default=())
    # Each source's state to start from, by key: the stored one, trusted (`trusted_state`) once.
    states: Mapping[str, SourceState] = field(default_factory=dict)


# -- planning -------------------------------------------------------------------------------------


def watched_categories(claims: Sequence[Claim]) -> tuple[str, ...]:
    """The union of the claims' categories, sorted: what RSS and OAI-PMH fetch."""
    return tuple(sorted({c for claim in claims for c in claim.categories}))


def announcement_day(now: dt.datetime) -> dt.date:
    """The day of the newest announcement arXiv may have published by `now` (its feed's date)."""
    local = now.astimezone(ARXIV_TZ)
    return local.date() + dt.timedelta(days=1 if local.hour >= ANNOUNCE_HOUR else 0)


def last_complete_day(now: dt.datetime) -> dt.date:
    """The last US Eastern day that is over: the `until` of an OAI-PMH window (datestamps are days)."""
    return now.astimezone(ARXIV_TZ).date() - dt.timedelta(days=1)


def latest_plausible_day(now: dt.datetime) -> dt.date:
    """No watermark may pass this day: today at arXiv (US Eastern) plus a day of slack (the evening
    feed is dated tomorrow). A response dated later is wrong, whatever it holds."""
    return now.astimezone(ARXIV_TZ).date() + dt.timedelta(days=1)


def trusted_state(state: SourceState, now: dt.datetime) -> SourceState:
    """`state` without a watermark past `latest_plausible_day` (one stored by a wrongly dated
    response, or before the clock was set back): an untrustworthy watermark counts as none, so the
    days it claims are fetched again instead of being skipped for good."""
    if state.watermark is None or state.watermark <= latest_plausible_day(now):
        return state
    log.warning(
        "%s: the stored watermark %s is after today at arXiv; ignoring it (the days since the last "
        "trustworthy coverage will be fetched again)",
        state.source,
        state.watermark,
    )
    return dataclasses.replace(state, watermark=None)


def missed_days(covered: dt.date, now: dt.datetime) -> list[dt.date]:
    """Weekdays after `covered` and before today's announcement: announcements RSS can no longer give.
    Weekends have none; a holiday looks missed and costs one small OAI-PMH catch-up."""
    day, last = covered + dt.timedelta(days=1), announcement_day(now)
    out = []
    while day < last:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def plan_poll(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    *,
    now: dt.datetime,
    source: str = "auto",
    since: dt.date | None = None,
    session: PoliteSession,
) -> PollPlan:
    """Choose the sources (and their windows) for one poll from the stored watermarks."""
    until = last_complete_day(now)
    _check_arguments(source, since, until)
    if source == "api":
        anchors = _anchor_source(store, claims, settings, session, only_missing=False, now=now)
        if anchors is None:
            return PollPlan((), "no anchors in the claims file")
        return _planned(store, (anchors,), "look up every anchor through the arXiv API", (), {}, now)
    categories = _categories_to_poll(claims)
    rss = RssSource(session, settings.rss_url, categories)
    sets = sets_for(categories)
    marks = _read_watermarks(store, rss.key, sets, now)
    if source == "rss":
        reason = f"RSS: the latest announcement for {len(categories)} categories"
        return _planned(store, (rss,), reason, (), marks.states, now)
    catch_up, reason = _catch_up(source, since, marks, now)
    notes: list[str] = []
    chosen: list[PaperSource] = []
    if catch_up:
        for spec, cats in sets.items():
            start = _window_start(
                since=since,
                covered=later_day(marks.rss, marks.sets[spec]),
                own=marks.sets[spec],
                until=until,
                claims=claims,
                notes=notes,
            )
            chosen.append(OaiPmhSource(session, settings.oai_url, spec, cats, start=start, until=until))
    if source == "auto":
        chosen.append(rss)
        anchors = _anchor_source(store, claims, settings, session, only_missing=True, now=now)
        if anchors is not None:
            chosen.append(anchors)
    return _planned(store, tuple(chosen), reason, tuple(dict.fromkeys(notes)), marks.states, now)


def _planned(
    store: Store,
    sources: tuple[PaperSource, ...],
    reason: str,
    notes: tuple[str, ...],
    known: Mapping[str, SourceState],
    now: dt.datetime,
) -> PollPlan:
    """The plan, with each source's trusted starting state: those already read for planning
    (`known`), the others read now."""
    states = {
        src.key: known[src.key] if src.key in known else trusted_state(store.get_source_state(src.key), now)
        for src in sources
    }
    return PollPlan(sources, reason, notes, states)


def _check_arguments(source: str, since: dt.date | None, until: dt.date) -> None:
    """Refuse an unknown source, and a --since that does not apply or lies after `until`."""
    if source not in SOURCES:
        raise ConfigError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    if since is not None:
        if source in ("rss", "api"):
            raise ConfigError(
                f"--since does not apply to --source {source}",
                tip="RSS holds only the latest announcement day; backfill with --source oai (or auto).",
            )
        if since > until:
            raise ConfigError(f"--since {since} is after {until}, the last complete day at arXiv")


def _categories_to_poll(claims: Sequence[Claim]) -> tuple[str, ...]:
    categories = watched_categories(claims)
    if not categories:
        raise ConfigError(
            "the claims file names no arXiv categories, so there is nothing to poll",
            tip="Add `categories: [cs.CL, ...]` under `defaults:` (or to each claim) in the claims file.",
        )
    return categories


@dataclass(frozen=True)
class _Watermarks:
    """The trusted watermarks of the RSS feed and of each OAI-PMH set, read once per plan."""

    rss: dt.date | None
    sets: dict[str, dt.date | None]  # set spec -> its watermark
    unfinished: tuple[str, ...]  # sets whose harvest stopped mid-way (a resumption token is stored)
    states: dict[str, SourceState]  # source key -> its trusted state, as read

    @property
    def covered(self) -> dt.date | None:
        """The last announcement day covered: the later of RSS's and the OAI-PMH sets' (the
        earliest of theirs, unknown while any set has none)."""
        oai_marks = list(self.sets.values())
        oai_covered = None if any(m is None for m in oai_marks) else min(m for m in oai_marks if m)
        return later_day(self.rss, oai_covered)


def _read_watermarks(
    store: Store, rss_key: str, sets: dict[str, tuple[str, ...]], now: dt.datetime
) -> _Watermarks:
    rss_state = trusted_state(store.get_source_state(rss_key), now)
    set_states = {
        spec: trusted_state(store.get_source_state(oai_key(spec, cats)), now) for spec, cats in sets.items()
    }
    return _Watermarks(
        rss_state.watermark,
        {spec: state.watermark for spec, state in set_states.items()},
        tuple(spec for spec, state in set_states.items() if state.resume_token),
        {rss_key: rss_state, **{oai_key(spec, sets[spec]): st for spec, st in set_states.items()}},
    )


def _catch_up(source: str, since: dt.date | None, marks: _Watermarks, now: dt.datetime) -> tuple[bool, str]:
    """Whether an OAI-PMH harvest comes first (`source` is auto or oai), and why."""
    if source != "auto":
        return True, "OAI-PMH harvest" + (f" from {since}" if since else "")
    covered = marks.covered
    if since is not None:
        return True, f"backfill with OAI-PMH from {since} (--since), then today's RSS"
    if covered is None:
        return True, "first poll: backfill with OAI-PMH, then today's RSS"
    if marks.unfinished:
        # A harvest killed or failed mid-way: finish it first, from its stored token.
        return (
            True,
            f"resume the unfinished OAI-PMH harvest of {', '.join(marks.unfinished)}, then today's RSS",
        )
    missed = missed_days(covered, now)
    if missed:
        shown = ", ".join(d.isoformat() for d in missed[:5]) + (" ..." if len(missed) > 5 else "")
        return True, (
            f"catch-up: the last covered announcement day is {covered} and RSS no longer has "
            f"{shown}; OAI-PMH first, then today's RSS"
        )
    return False, f"a normal night: RSS only (last covered announcement day {covered})"


def _window_start(
    *,
    since: dt.date | None,
    covered: dt.date | None,
    own: dt.date | None,
    until: dt.date,
    claims: Sequence[Claim],
    notes: list[str],
) -> dt.date:
    if since is not None:
        return since
    if own is not None and own >= until:
        return until + dt.timedelta(days=1)  # this set is harvested through `until` already
    if covered is not None:
        return covered - dt.timedelta(days=OVERLAP_DAYS)
    oldest = min((c.date for c in claims), default=until)
    floor = until - dt.timedelta(days=BACKFILL_MAX_DAYS)
    if oldest < floor:
        notes.append(
            f"first backfill limited to the last {BACKFILL_MAX_DAYS} days (from {floor}; the oldest "
            f"claim is from {oldest}): import the bulk snapshot with `freshness import`, or run "
            f"`freshness poll --source oai --since {oldest}` for the rest"
        )
        return floor
    return min(oldest, until)


def _anchor_source(
    store: Store,
    claims: Sequence[Claim],
    settings: Settings,
    session: PoliteSession,
    *,
    only_missing: bool,
    now: dt.datetime,
) -> AnchorLookupSource | None:
    ids = list(dict.fromkeys(a.arxiv_id.base for c in claims for a in c.anchors if a.arxiv_id is not None))
    if only_missing:
        known = store.get_papers(ids)
        checks = store.get_anchor_checks(ids)

        def asked_lately(i: str) -> bool:
            check = checks.get(i)
            return (
                check is not None
                and check.status is AnchorStatus.NOT_FOUND
                and now - check.checked_at < ANCHOR_RECHECK
            )

        ids = [i for i in ids if i not in known and not asked_lately(i)]
    return AnchorLookupSource(session, settings, ids) if ids else None
