-- GET /genesets?limit=50&cursor=... : the page statement of PostgresGenesetRepository.genesets with no filter
-- (GenesetPage, limit + 1 rows), as a reader who is not an admin (user bench-reader) sees it.
\set after random(0, :sets - 50)
SELECT id, title, created_at, updated_at, gene_ids, gene_names, description, collection_id, species, owner, visibility FROM genesets WHERE id > :after AND ('bench-reader' = '' OR visibility = 'public' OR owner = 'bench-reader') ORDER BY id LIMIT 51;
