-- Drifted targets in the latest run, with the reasons and what was expected.
-- Portable SQL (Athena engine 3 and DuckDB). The latest run is max(run_id) of the
-- runs table (run ids sort in time order).
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
  a.run_id,
  a.target_id,
  a.target_type,
  a.target_name,
  a.ou_path,
  a.account_status,
  a.association_status,
  a.association_type,
  a.configuration_policy_id,
  a.expected_policy_id,
  a.baseline_policy_id,
  a.drift_reasons,
  a.first_drift_seen,
  a.error_code,
  a.error_reason
FROM associations a
JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id
WHERE a.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND a.drift = true
ORDER BY a.ou_path, a.target_type, a.target_id
