-- The knowledge base suggested to visitors as they type their reason.
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    locale     TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
