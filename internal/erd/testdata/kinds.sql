-- Every kind of entity the pictures draw, in two schemas, with names
-- Mermaid reads as keywords or cannot take as they are.
CREATE SCHEMA billing;

CREATE TABLE "class" (
    id   int PRIMARY KEY,
    "pk" text,
    "Odd name" text
);

CREATE TABLE people (
    id    int PRIMARY KEY,
    name  text NOT NULL,
    boss  int REFERENCES people (id)
);

CREATE TABLE staff (
    badge text
) INHERITS (people);

CREATE TABLE billing.invoices (
    id        int,
    issued_on date NOT NULL,
    person_id int NOT NULL REFERENCES people (id),
    class_id  int,
    PRIMARY KEY (id, issued_on)
) PARTITION BY RANGE (issued_on);

CREATE TABLE billing.invoices_2025 PARTITION OF billing.invoices
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY RANGE (issued_on);
CREATE TABLE billing.invoices_2025_h1 PARTITION OF billing.invoices_2025
    FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE billing.invoices_2026 PARTITION OF billing.invoices
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE billing.invoices_2026 ADD CONSTRAINT invoices_2026_class_fkey FOREIGN KEY (class_id) REFERENCES "class" (id);

CREATE VIEW billing.totals AS
    SELECT p.name, count(*) AS n FROM people p JOIN billing.invoices i ON i.person_id = p.id GROUP BY p.name;
CREATE MATERIALIZED VIEW billing.yearly AS
    SELECT date_trunc('year', issued_on) AS year, count(*) AS n FROM billing.invoices GROUP BY 1;

CREATE FOREIGN DATA WRAPPER erd_fdw;
CREATE SERVER erd_server FOREIGN DATA WRAPPER erd_fdw;
CREATE FOREIGN TABLE billing.rates (code text NOT NULL, rate numeric) SERVER erd_server;
