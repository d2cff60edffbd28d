-- GET /genesets/search/%23N?limit=50: the page query with a title pattern '#N' (limit + 1 rows).
\set n random(1, :sets)
SELECT id, title, created_at, updated_at, gene_ids, gene_names FROM genesets WHERE id > 0 AND ('%#' || :n || '%' IS NULL OR lower(title) LIKE lower('%#' || :n || '%') ESCAPE '\') AND (NULL::text IS NULL OR id IN (SELECT m.geneset_id FROM geneset_genes m JOIN genes g ON g.id = m.gene_id WHERE lower(g.name) = lower(NULL::text))) ORDER BY id LIMIT 51;
