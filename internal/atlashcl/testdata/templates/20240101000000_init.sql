CREATE SCHEMA {{ .schema }};
CREATE TABLE {{ .schema }}.notes (id bigint);
