-- GET /genes/{name}: the two queries of GenesetCatalog.gene (gene by name, then 51 set summaries).
-- The name is built from a random pool index exactly as SyntheticGenesets.geneName does.
\set i random(0, :pool - 1)
SELECT id, name FROM genes WHERE lower(name) = lower(chr(65 + :i::int % 26) || chr(65 + (:i::int / 26) % 26) || chr(65 + (:i::int / 676) % 26) || chr(65 + (:i::int / 17576) % 26) || ((:i::int / 456976) * 7 + :i::int % 7)::text);
SELECT s.id, s.title FROM geneset_genes m JOIN genesets s ON s.id = m.geneset_id WHERE m.gene_id = (SELECT id FROM genes WHERE lower(name) = lower(chr(65 + :i::int % 26) || chr(65 + (:i::int / 26) % 26) || chr(65 + (:i::int / 676) % 26) || chr(65 + (:i::int / 17576) % 26) || ((:i::int / 456976) * 7 + :i::int % 7)::text)) AND m.geneset_id > 0 ORDER BY m.geneset_id LIMIT 51;
