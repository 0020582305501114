-- The bundled example after a change, for the pictures of a diff: a
-- shipments table, a column added, one dropped, one retyped, one made NULL.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text        NOT NULL,
    name       varchar(200) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_key UNIQUE (email)
);

CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         text          NOT NULL,
    title       text          NOT NULL,
    price       numeric(10,2) NOT NULL,
    active      boolean       DEFAULT true,
    CONSTRAINT products_price_check CHECK (price >= 0)
);

CREATE UNIQUE INDEX products_sku_key ON products (lower(sku));

CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint       NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    status      order_status NOT NULL DEFAULT 'pending',
    placed_at   timestamptz  NOT NULL DEFAULT now(),
    shipped_at  timestamptz
);

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE TABLE shipments (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL UNIQUE REFERENCES orders (id),
    carrier  text   NOT NULL
);

CREATE INDEX orders_open_idx ON orders (placed_at) WHERE status IN ('pending', 'paid');

CREATE TABLE order_items (
    order_id   bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id bigint  NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL,
    unit_price numeric(10,2) NOT NULL,
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT order_items_quantity_check CHECK (quantity > 0)
);

CREATE INDEX order_items_product_id_idx ON order_items (product_id);

COMMENT ON TABLE orders IS 'One order of a customer; its lines are in order_items.';
COMMENT ON COLUMN order_items.unit_price IS 'Price of one unit when the order was placed.';
