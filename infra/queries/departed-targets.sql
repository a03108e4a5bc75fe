-- Targets the previous run reported and the latest run no longer found (left the organization, or closed).
-- Names and paths come from the previous run's rows. The previous run's dt is the
-- first eight characters of its run id (yyyymmddThhmmssZ), so that partition is read alone.
WITH latest AS (
  SELECT run_id, dt, previous_run_id, departed_targets
  FROM runs
  WHERE run_id = (SELECT max(run_id) FROM runs)
),
departed AS (
  SELECT
    l.run_id,
    l.previous_run_id,
    substr(l.previous_run_id, 1, 4) || '-' || substr(l.previous_run_id, 5, 2) || '-' || substr(l.previous_run_id, 7, 2) AS previous_dt,
    t.target_id
  FROM latest l
  CROSS JOIN UNNEST(l.departed_targets) AS t (target_id)
)
SELECT
  d.target_id,
  p.target_type,
  p.target_name,
  p.ou_path,
  p.account_status,
  p.audited_at AS last_seen_at,
  d.previous_run_id,
  d.run_id AS missing_since_run_id
FROM departed d
LEFT JOIN associations p
  ON p.dt = d.previous_dt AND p.run_id = d.previous_run_id AND p.target_id = d.target_id
ORDER BY d.target_id
