-- GET /genesets?limit=50&cursor=... : the page statement of PostgresGenesetRepository.genesets with no filter for a
-- user who is not an admin (VisibleGenesetPage, limit + 1 rows), as bench-reader sees it.
\set after random(0, :sets - 50)
SELECT id, title, created_at, updated_at, gene_ids, gene_names, description, collection_id, species, owner, visibility FROM genesets WHERE id = ANY(ARRAY((SELECT id FROM genesets WHERE visibility = 'public' AND id > :after ORDER BY id LIMIT 51) UNION ALL (SELECT id FROM genesets WHERE owner = 'bench-reader' AND visibility = 'private' AND id > :after ORDER BY id LIMIT 51) ORDER BY id LIMIT 51)) ORDER BY id;
