"""How a unit's rank moved since the previous period, in the terms officers use: "tăng 3 bậc"
(up 3), "giảm 2 bậc" (down 2), "giữ nguyên" (unchanged). The words themselves are the web
layer's (translated); this decides which case applies."""

from __future__ import annotations

from dataclasses import dataclass

UP, DOWN, SAME, NEW, UNRANKED = "up", "down", "same", "new", "unranked"


@dataclass(frozen=True)
class RankChange:
    direction: str   # UP, DOWN, SAME; NEW: ranked now but not in the previous period; UNRANKED: not ranked now
    steps: int = 0   # how many places, always >= 0


def rank_change(rank: int | None, previous_rank: int | None) -> RankChange:
    """Rank 1 is the best, so a smaller number is a move up (``previous_rank - rank`` > 0, as the
    scores contract's ``rank_change``)."""
    if rank is None:
        return RankChange(UNRANKED)
    if previous_rank is None:
        return RankChange(NEW)
    moved = previous_rank - rank
    if moved > 0:
        return RankChange(UP, moved)
    if moved < 0:
        return RankChange(DOWN, -moved)
    return RankChange(SAME)
