from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex for an index only PostgreSQL has (GIN, or one with INCLUDE columns):
    recorded in the migration state everywhere, created only on PostgreSQL, so SQLite
    keeps working with a plain scan. (When SQLite rebuilds the table for a later change
    to it, it recreates the state's indexes as plain ones: harmless.)"""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
