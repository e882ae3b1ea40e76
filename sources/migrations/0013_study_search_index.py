from django.db import migrations

# Study.objects.matching() on PostgreSQL (the site's search box): a GIN index on the
# expression sources.models.STUDY_SEARCH_VECTOR, which the query repeats exactly. Written
# out here, as the expression stood when the index was made; created only on PostgreSQL.
EXPRESSION = (
    "to_tsvector('english'::regconfig, "
    """coalesce("sources_study"."title", '') || ' ' || """
    """coalesce("sources_study"."authors", '') || ' ' || """
    """coalesce("sources_study"."population", '') || ' ' || """
    """coalesce("sources_study"."intervention", '') || ' ' || """
    """coalesce("sources_study"."main_finding", ''))"""
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS sources_study_search_gin ON sources_study "
            f"USING gin (({EXPRESSION}))"
        )
        # Statistics on the new expression, so the planner knows how selective a search is
        # (without them it may scan every study rather than read the index).
        schema_editor.execute("ANALYZE sources_study")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS sources_study_search_gin")


class Migration(migrations.Migration):
    dependencies = [("sources", "0012_study_designs_policy_and_clinic_page")]

    operations = [migrations.RunPython(create_index, drop_index)]
