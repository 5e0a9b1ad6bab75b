"""The figures of a scope and period (``scope_figures``), from the sums of services/figures/sums.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey_app.domain.cell_sums import SumsLayout, criterion_counts
from survey_app.domain.change import change_between
from survey_app.domain.scoring import Scores, competition_ranks
from survey_app.domain.scoring_sums import score_many, sipas_indices
from survey_app.domain.submission import CHANNELS
from survey_app.domain.weighting_sums import weighted_sums
from survey_app.models import Response, ResponseFlag, Unit
from survey_app.services.figures.breakdowns import scope_breakdowns
from survey_app.services.figures.sums import Cells, periods_sums
from survey_app.services.figures.types import (
    ChannelCount,
    CriterionFigures,
    ElementFigures,
    Figures,
    FiguresQuery,
    Index,
    ScopeFigures,
    UnitFigures,
    UnknownUnit,
    Weighted,
)
from survey_app.services.invitations import issued_per_unit
from survey_app.services.rating_matrix import tree_order
from survey_app.services.units import descendant_ids
from survey_app.services.volumes import cell_volumes


class Tree:
    """The units read, parents before children, with each one's subtree totals of any cells."""

    def __init__(self, units: list[Unit]):
        self.units = tree_order(units)
        ids = {u.id for u in self.units}
        self.parent = {u.id: (u.parent_id if u.parent_id in ids else None) for u in self.units}

    def totals(self, cells: Cells, length: int, channels: set[str] | None = None) -> dict[int, np.ndarray]:
        """unit id -> the sums of its cells and its subtree's (of ``channels`` only, if given)."""
        found = {u.id: np.zeros(length, dtype=np.int64) for u in self.units}
        for (unit_id, channel), vector in cells.items():
            if unit_id in found and (channels is None or channel in channels):
                found[unit_id] += vector
        for unit in reversed(self.units):  # children after their parents: add each to its parent
            parent = self.parent[unit.id]
            if parent is not None:
                found[parent] += found[unit.id]
        return found

    def ranks(self, counts: Cells, layout: SumsLayout, min_ranked: int, channels: set[str] | None
              ) -> dict[int, int | None]:
        """unit id -> its rank among its siblings, from cells of ``criterion_counts`` (of
        ``channels`` only, if given)."""
        totals = self.totals(counts, 1 + 2 * layout.k, channels)
        siblings: dict[int, list[int]] = defaultdict(list)
        for unit in self.units:
            if unit.parent_id is not None:  # a root is never ranked
                siblings[unit.parent_id].append(unit.id)
        ranks: dict[int, int | None] = {u.id: None for u in self.units}
        ranked = [unit_id for group in siblings.values() for unit_id in group]
        if not ranked:
            return ranks
        n, indices = sipas_indices(layout, np.stack([totals[unit_id] for unit_id in ranked]))
        value = {unit_id: (index if count >= min_ranked else None)
                 for unit_id, count, index in zip(ranked, n.tolist(), indices)}
        for group in siblings.values():
            ranks.update(zip(group, competition_ranks([value[unit_id] for unit_id in group])))
        return ranks


def _counts_of(layout: SumsLayout, cells: Cells) -> Cells:
    """(unit id, channel) -> the ``criterion_counts`` of its sums, every cell's taken at once."""
    if not cells:
        return {}
    return dict(zip(cells, criterion_counts(layout, np.stack(list(cells.values())))))


def _ci(ci) -> tuple[float, float] | None:
    return (float(ci[0]), float(ci[1])) if ci is not None else None


def figures_fields(layout: SumsLayout, vector: np.ndarray, now: Scores, before: Scores | None) -> dict:
    contributing = vector[layout.parts["contributing"]]
    elements = {}
    for e, (code, element) in enumerate(now.elements.items()):
        then = before.elements[code] if before is not None else None
        elements[code] = ElementFigures(code, Index(element.index, _ci(element.ci), int(contributing[e])),
                                        element.alpha, change_between(element.index, element.ci, then.index, then.ci)
                                        if then is not None else None)
    return {
        "index": Index(now.index, _ci(now.ci), now.n),
        "elements": elements,
        "criteria": {code: CriterionFigures(code, Index(c.index, _ci(c.ci), c.n), c.satisfied)
                     for code, c in now.criteria.items()},
        "expectations": dict(now.expectations),
        "change": change_between(now.index, now.ci, before.index, before.ci) if before is not None else None,
        "previous": Index(before.index, _ci(before.ci), before.n) if before is not None else None,
    }


def _flagged(session: Session, questionnaire_id: str, start, end, unit_ids: Iterable[int] | None
             ) -> dict[tuple[int, str], int]:
    # Flagged responses as a list the query starts from: joined instead, SQLite read every
    # response of the period through its index and probed the flags for each (0.06 s of a
    # quarter at 300,000 responses a year, growing with them); flags are few, responses many.
    flagged = select(ResponseFlag.response_id).where(ResponseFlag.restored.is_(False))
    query = (select(Response.unit_id, Response.channel, func.count())
             .where(Response.id.in_(flagged), Response.questionnaire_id == questionnaire_id,
                    Response.submitted_at >= start, Response.submitted_at < end)
             .group_by(Response.unit_id, Response.channel))
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(sorted(unit_ids)))
    return {(unit_id, channel): count for unit_id, channel, count in session.execute(query)}


class _ChannelCounts:
    """unit id -> channel -> [raters, responses, flagged] of its subtree (``of``): added up the
    tree as one small vector per unit, made into lists only for the units asked for."""

    def __init__(self, tree: Tree, layout: SumsLayout, cells: Cells, flagged: dict[tuple[int, str], int]):
        extra = {channel for _, channel in (*cells, *flagged)} - set(CHANNELS)
        self.channels = (*CHANNELS, *sorted(extra))
        at = {channel: 3 * i for i, channel in enumerate(self.channels)}
        responses, raters = layout.parts["responses"].start, layout.parts["raters"].start
        own: Cells = {key: np.zeros(3 * len(self.channels), dtype=np.int64) for key in (*cells, *flagged)}
        for (unit_id, channel), vector in cells.items():
            own[(unit_id, channel)][at[channel]:at[channel] + 2] = (int(vector[raters]), int(vector[responses]))
        for (unit_id, channel), count in flagged.items():
            own[(unit_id, channel)][at[channel] + 2] = count
        self.totals = tree.totals(own, 3 * len(self.channels))

    def of(self, unit_ids: Iterable[int]) -> dict[str, list[int]]:
        """channel -> [raters, responses, flagged] of the units ``unit_ids`` (their subtrees) together."""
        total = sum((self.totals[unit_id] for unit_id in unit_ids), np.zeros(3 * len(self.channels), dtype=np.int64))
        values = total.tolist()
        return {channel: values[3 * i:3 * i + 3] for i, channel in enumerate(self.channels)
                if channel in CHANNELS or any(values[3 * i:3 * i + 3])}


def _channels(counts: dict[str, list[int]]) -> tuple[ChannelCount, ...]:
    return tuple(ChannelCount(channel, n, responses, flags) for channel, (n, responses, flags) in counts.items())


def _weighted(layout: SumsLayout, cells_of: dict[int, list], volumes: dict, members: set[int], n: int
              ) -> Weighted | None:
    """The weighted index of the units ``members``; ``cells_of``: unit id -> [(key, sums)]."""
    if not volumes:
        return None
    chosen = [(vector, volumes.get(key, 0)) for member in members for key, vector in cells_of.get(member, ())]
    found = weighted_sums(layout, [v for v, _ in chosen], [w for _, w in chosen]) if chosen else None
    return Weighted(Index(found.index, _ci(found.ci), n), found.deff) if found is not None else None


def scope_figures(session: Session, query: FiguresQuery) -> ScopeFigures:
    q, period, tz = query.questionnaire, query.period, query.tz
    layout = SumsLayout(q.scoring_plan())
    all_units = list(session.scalars(select(Unit)))
    subtree = descendant_ids(all_units)
    if query.unit_code is not None:
        root = next((u for u in all_units if u.code == query.unit_code), None)
        if root is None:
            raise UnknownUnit(query.unit_code)
        shown_ids = subtree[root.id]
        # Ranks compare a unit with its siblings: the parent's subtree is read.
        read_ids: set[int] | None = subtree[root.parent_id] if root.parent_id is not None else shown_ids
    else:
        root, shown_ids, read_ids = None, {u.id for u in all_units}, None
    tree = Tree([u for u in all_units if read_ids is None or u.id in read_ids])
    shown_list = sorted(shown_ids) if read_ids is not None else None
    periods = [period.utc_bounds(tz), period.previous().utc_bounds(tz)]
    start, end = periods[0]
    cells, before_cells = periods_sums(session, q.id, layout, periods, shown_list)
    # The units outside the scope only rank the scope's root among its siblings: their counts do.
    outside = sorted(read_ids - shown_ids) if read_ids is not None else []
    counts, before_counts = (_counts_of(layout, found) for found in (cells, before_cells))
    if outside:
        for found, more in zip((counts, before_counts),
                               periods_sums(session, q.id, layout, periods, outside, counts_only=True)):
            found.update(more)
    ranking = set(query.ranking_channels) if query.ranking_channels else None
    ranks = tree.ranks(counts, layout, query.min_ranked, ranking)
    previous_ranks = tree.ranks(before_counts, layout, query.min_ranked, ranking)
    flagged = _flagged(session, q.id, start, end, shown_list)
    invitations = issued_per_unit(session, period)
    volumes = cell_volumes(session, period, tz)
    shown_tree = Tree([u for u in tree.units if u.id in shown_ids])
    totals, before_totals = shown_tree.totals(cells, layout.length), shown_tree.totals(before_cells, layout.length)
    by = scope_breakdowns(session, query, layout, cells, shown_tree, shown_ids, read_ids is not None) \
        if query.by else {}

    channel_counts = _ChannelCounts(shown_tree, layout, cells, flagged)

    depth: dict[int, int] = {}
    for unit in shown_tree.units:
        depth[unit.id] = depth[unit.parent_id] + 1 if unit.parent_id in depth else 0
    shown = [u for u in shown_tree.units if query.levels is None or depth[u.id] <= query.levels]
    if root is not None:
        overall_vector, overall_before = totals[root.id], before_totals[root.id]
    else:
        overall_vector = sum(cells.values(), np.zeros(layout.length, dtype=np.int64))
        overall_before = sum(before_cells.values(), np.zeros(layout.length, dtype=np.int64))
    # Every unit's figures scored at once (then and now), the scope's own last.
    scored_now = score_many(layout, np.stack([*(totals[u.id] for u in shown), overall_vector]))
    scored_before = score_many(layout, np.stack([*(before_totals[u.id] for u in shown), overall_before]))

    cells_of: dict[int, list] = defaultdict(list)
    for key, vector in cells.items():
        cells_of[key[0]].append((key, vector))

    def figures_of(at: int, members: set[int], vector: np.ndarray, counts: dict[str, list[int]]) -> dict:
        now = scored_now[at]
        return {**figures_fields(layout, vector, now, scored_before[at]),
                "weighted": _weighted(layout, cells_of, volumes, members, now.n),
                "flagged": sum(flags for _, _, flags in counts.values()), "channels": _channels(counts)}

    units: list[Any] = []
    by_id = {u.id: u for u in all_units}
    for at, unit in enumerate(shown):
        members = subtree[unit.id]
        issued = [invitations.get(member, (0, 0)) for member in members]
        sent, answered = sum(i for i, _ in issued), sum(a for _, a in issued)
        units.append(UnitFigures(
            unit=unit.code, name=unit.name, parent=by_id[unit.parent_id].code if unit.parent_id else None,
            depth=depth[unit.id], rank=ranks[unit.id], previous_rank=previous_ranks[unit.id],
            invitations=sent, response_rate=answered / sent if sent else None,
            by=by.get(unit.id, {}), **figures_of(at, members, totals[unit.id], channel_counts.of([unit.id]))))
    overall_counts = channel_counts.of([root.id] if root is not None else
                                       [u.id for u in shown_tree.units if shown_tree.parent[u.id] is None])
    overall = Figures(by=by.get(None, {}), **figures_of(len(shown), shown_ids, overall_vector, overall_counts))
    return ScopeFigures(
        questionnaire=q.id, period=period, previous_period=period.previous(), scope=query.unit_code,
        min_ranked=query.min_ranked, ranking_channels=tuple(query.ranking_channels or CHANNELS),
        overall=overall, units=tuple(units))
