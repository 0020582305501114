# Every data source and function schemactl reads, in one project file
# that Atlas's loader reads too (atlas_compat_test.go).

variable "db_url" {
  type    = string
  default = getenv("DB_URL")
}

locals {
  dev = urlqueryset(urlsetpath(var.db_url, "dev"), "sslmode", "disable")
}

data "sql" "tenants" {
  url   = var.db_url
  query = "SELECT name FROM tenants WHERE active = $1 ORDER BY name"
  args  = [true]
}

data "external_schema" "orm" {
  program = ["sh", "-c", "echo 'CREATE TABLE users (id bigint PRIMARY KEY);'"]
}

data "composite_schema" "app" {
  schema "auth" {
    url = data.external_schema.orm.url
  }
  schema "audit" {
    url = "file://audit.sql"
  }
}

data "hcl_schema" "app" {
  path = "testdata/schema.hcl"
  vars = { tenant = "acme" }
}

data "template_dir" "migrations" {
  path = "testdata/templates"
  vars = { schema = "tenant_${atlas.env}" }
}

env "orm" {
  src = data.external_schema.orm.url
  url = var.db_url
  dev = local.dev
  migration {
    dir = "file://migrations"
  }
}

env "composite" {
  src     = data.composite_schema.app.url
  schemas = ["auth", "audit"]
  dev     = local.dev
}

env "hcl" {
  src = data.hcl_schema.app.url
}

env "tenants" {
  url     = urluserinfo(var.db_url, "app", urlescape("p@ss"))
  schemas = data.sql.tenants.values
  exclude = [for f in glob("testdata/*.none") : f]
  migration {
    dir    = data.template_dir.migrations.url
    format = atlas
  }
}
