# The ORM example: SQLAlchemy models (models.py) are the desired state.
# load_models.py prints their DDL for PostgreSQL; schemactl and Atlas read
# it as the external schema below.
#   make create-migrations   # a model change -> the next migration file (and the pin)
#   make check-migrations    # is migrations/ in sync with the models? is the pin current?
# dev = "" is schemactl's embedded dev database; give Atlas a URL of its
# own (e.g. docker://postgres/15/dev?search_path=public) when you run it.

data "external_schema" "sqlalchemy" {
  program = ["python3", "load_models.py"]
}

env "orm" {
  src = data.external_schema.sqlalchemy.url
  dev = ""
  migration {
    dir = "file://migrations"
  }
  # The deploy template's copy of the directory's hash (Atlas ignores it).
  pin "deploy" {
    file = "deploy/template.yaml"
    key  = "Resources.SchemaMigration.Properties.MigrationHash"
  }
}
