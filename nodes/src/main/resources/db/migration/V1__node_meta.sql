-- Which node this database belongs to, and since when. Exactly one row: a database holds one node's state.
CREATE TABLE node_meta (
    singleton      boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    node_id        text        NOT NULL,
    first_start_at timestamptz NOT NULL DEFAULT now()
);
