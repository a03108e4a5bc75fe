-- Targets whose association is FAILED in the latest run, counted per OU path.
-- ou_path of an account ends with the root or OU holding it; of a root or OU, with itself.
-- Latest run = newest run of the last 7 UTC days. The `dt >= <today - 7 days>` bounds are
-- constants when Athena plans the query, so partition projection reads only those days (a join
-- on `latest` alone is not: Athena would list two years of partitions). The `latest` CTE is the
-- same text in every latest-run query on purpose (see README, Querying in Athena).
WITH latest AS (
  SELECT max(run_id) AS run_id, max(dt) AS dt
  FROM runs
  WHERE dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
)
SELECT
  a.ou_path,
  count(*) AS failed_targets,
  sum(CASE WHEN a.target_type = 'ACCOUNT' THEN 1 ELSE 0 END) AS failed_accounts,
  sum(CASE WHEN a.target_type <> 'ACCOUNT' THEN 1 ELSE 0 END) AS failed_roots_and_ous,
  array_agg(a.target_id ORDER BY a.target_id) AS target_ids
FROM associations a
JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id
WHERE a.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND a.association_status = 'FAILED'
GROUP BY a.ou_path
ORDER BY failed_targets DESC, a.ou_path
