"""Use cases. Each takes a session, flushes, and never commits: the caller (a view or a
command) commits once, so that one request or one import is one transaction."""
