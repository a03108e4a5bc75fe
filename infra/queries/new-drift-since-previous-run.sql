-- Targets that drifted since the previous run (change NEW_DRIFT in the latest run).
WITH latest AS (
  SELECT max(run_id) AS run_id, max(dt) AS dt
  FROM runs
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
WHERE contains(a.changes, 'NEW_DRIFT')
ORDER BY a.ou_path, a.target_id
