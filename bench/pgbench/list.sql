-- GET /genesets?limit=50&cursor=... : the page statement of PostgresGenesetRepository.genesets with no filter
-- (GenesetPage, limit + 1 rows).
\set after random(0, :sets - 50)
SELECT id, title, created_at, updated_at, gene_ids, gene_names FROM genesets WHERE id > :after ORDER BY id LIMIT 51;
