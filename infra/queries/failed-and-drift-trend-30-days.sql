-- FAILED associations and drifted targets per run over the last 30 UTC days (today included).
-- dt is a string 'YYYY-MM-DD'; the window start is computed from current_date as a DATE and
-- compared as a string, a constant when Athena plans the query, so only 30 partitions are read.
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
WHERE r.dt >= CAST(CAST(current_date - INTERVAL '29' DAY AS DATE) AS VARCHAR)
ORDER BY r.run_id
