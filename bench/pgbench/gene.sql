-- GET /genes/{name}: the statement of PostgresGenesetRepository.gene(named:withSetsAfter:limit:) (GeneWithSets: the gene
-- and 51 set summaries). The name is built from a random pool index exactly as SyntheticGenesets.geneName does.
\set i random(0, :pool - 1)
SELECT g.id, g.name, s.id, s.title FROM genes g LEFT JOIN LATERAL (SELECT s.id, s.title FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id WHERE m.gene_id = g.id AND m.geneset_id > 0 ORDER BY m.geneset_id LIMIT 51) s ON true WHERE lower(g.name) = lower(chr(65 + :i::int % 26) || chr(65 + (:i::int / 26) % 26) || chr(65 + (:i::int / 676) % 26) || chr(65 + (:i::int / 17576) % 26) || ((:i::int / 456976) * 7 + :i::int % 7)::text) ORDER BY s.id;
