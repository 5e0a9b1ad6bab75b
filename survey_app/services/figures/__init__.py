"""The one read model: typed figures of a scope and period, trends, breakdowns and weekly series."""
