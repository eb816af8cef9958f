"""Open data: the 自治体標準オープンデータセット made from the platform's own data, with
small counts suppressed (docs/opendata.md)."""
