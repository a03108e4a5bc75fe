-- FAILED associations and drifted targets per run over the 30 UTC days ending with the latest run.
-- dt is a string 'YYYY-MM-DD'; the window start is computed as a DATE and compared as a string.
WITH bounds AS (
  SELECT CAST(CAST(CAST(max(dt) AS DATE) - INTERVAL '29' DAY AS DATE) AS VARCHAR) AS first_dt
  FROM runs
)
SELECT
  r.dt,
  r.run_id,
  r.run_status,
  r.targets_reported,
  r.status_failed,
  r.status_pending,
  r.drifted,
  r.excluded,
  r.new_drift,
  r.resolved_drift
FROM runs r
CROSS JOIN bounds b
WHERE r.dt >= b.first_dt
ORDER BY r.run_id
