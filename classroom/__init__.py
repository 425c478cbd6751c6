"""Class mode's storage: rooms, questions, students and answers in a real database.

``classroom.db`` opens the database named by ``EXPLORER_DATABASE_URL`` (SQLite by default,
PostgreSQL beyond one machine), ``classroom.schema`` holds its migrations, ``classroom.rooms``
the operations a room goes through (create, join, ask, answer, reveal, export, end).
The maths of the questions lives in ``core.classroom``; this package only stores.
"""
