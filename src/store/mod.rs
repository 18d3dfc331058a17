//! The `SQLite` store (WAL): schema and migrations; sessions, messages, runs.
