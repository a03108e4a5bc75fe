-- Drifted targets in the latest run, with the reasons and what was expected.
-- Portable SQL (Athena engine 3 and DuckDB). The latest run is max(run_id) of the
-- runs table (run ids sort in time order); joining on its dt lets Athena prune
-- the associations partitions.
WITH latest AS (
  SELECT max(run_id) AS run_id, max(dt) AS dt
  FROM runs
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
WHERE a.drift = true
ORDER BY a.ou_path, a.target_type, a.target_id
