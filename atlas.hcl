# Project file of the schemactl repository, in Atlas's format.
#
# env "example" is the bundled example: the desired state is
# example/schema.sql and its migrations are in example/migrations.
#   schemactl migrate diff --env example   # write the next migration (make create-migrations)
#   schemactl check --env example          # is the directory in sync?  (make check-migrations)
# dev = "" is schemactl's embedded dev database; give Atlas a URL of its
# own (e.g. docker://postgres/15/dev) when you run Atlas on this env.

env "example" {
  src = "file://example/schema.sql"
  dev = ""
  migration {
    dir = "file://example/migrations"
  }
  # The deploy template's copy of the directory's hash (Atlas ignores it).
  pin "cloudformation" {
    file = "example/deploy/template.yaml"
    key  = "Resources.MigrationTrigger.Properties.MigrationHash"
  }
}
