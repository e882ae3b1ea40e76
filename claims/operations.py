from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """AddIndex for a PostgreSQL-only index type (GIN): recorded in the migration state
    everywhere, created only on PostgreSQL, so SQLite keeps working with a plain scan."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
