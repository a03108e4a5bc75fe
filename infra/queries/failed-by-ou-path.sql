-- Targets whose association is FAILED in the latest run, counted per OU path.
-- ou_path of an account ends with the root or OU holding it; of a root or OU, with itself.
WITH latest AS (
  SELECT max(run_id) AS run_id, max(dt) AS dt
  FROM runs
)
SELECT
  a.ou_path,
  count(*) AS failed_targets,
  sum(CASE WHEN a.target_type = 'ACCOUNT' THEN 1 ELSE 0 END) AS failed_accounts,
  sum(CASE WHEN a.target_type <> 'ACCOUNT' THEN 1 ELSE 0 END) AS failed_roots_and_ous,
  array_agg(a.target_id ORDER BY a.target_id) AS target_ids
FROM associations a
JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id
WHERE a.association_status = 'FAILED'
GROUP BY a.ou_path
ORDER BY failed_targets DESC, a.ou_path
