"""Print the DDL of the SQLAlchemy models for PostgreSQL on stdout: the
desired state schemactl and Atlas read (data "external_schema")."""

import sys

from sqlalchemy import create_mock_engine

from models import Base


def emit(sql, *multiparams, **params):
    ddl = str(sql.compile(dialect=engine.dialect)).strip()
    sys.stdout.write(ddl + ";\n\n")


engine = create_mock_engine("postgresql://", emit)
Base.metadata.create_all(engine, checkfirst=False)
