-- Targets that drifted since the previous run (change NEW_DRIFT in the latest run).
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
  a.target_id,
  a.target_type,
  a.target_name,
  a.ou_path,
  a.association_status,
  a.configuration_policy_id,
  a.expected_policy_id,
  a.drift_reasons,
  r.previous_run_id,
  a.run_id
FROM associations a
JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id
JOIN runs r ON r.dt = l.dt AND r.run_id = l.run_id
WHERE a.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND r.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND contains(a.changes, 'NEW_DRIFT')
ORDER BY a.ou_path, a.target_id
