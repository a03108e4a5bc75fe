-- Targets the previous run reported and the latest run no longer found (left the organization, or closed).
-- Names and paths come from the previous run's rows. The previous run's dt is the
-- first eight characters of its run id (yyyymmddThhmmssZ), so that partition is read alone.
-- Latest run = newest run of the last 7 UTC days; the previous run's rows are read only from
-- the last 14 days (its name and path are null if it is older). The `dt >= <today - N days>`
-- bounds are constants when Athena plans the query, so partition projection reads only those
-- days (a join on `latest` alone is not: Athena would list two years of partitions). The
-- `latest` CTE is the same text in every latest-run query on purpose (see README, Querying in Athena).
WITH latest AS (
  SELECT max(run_id) AS run_id, max(dt) AS dt
  FROM runs
  WHERE dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
),
departed AS (
  SELECT
    r.run_id,
    r.previous_run_id,
    substr(r.previous_run_id, 1, 4) || '-' || substr(r.previous_run_id, 5, 2) || '-' || substr(r.previous_run_id, 7, 2) AS previous_dt,
    t.target_id
  FROM runs r
  JOIN latest l ON r.dt = l.dt AND r.run_id = l.run_id
  CROSS JOIN UNNEST(r.departed_targets) AS t (target_id)
  WHERE r.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
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
  ON p.dt >= CAST(CAST(current_date - INTERVAL '14' DAY AS DATE) AS VARCHAR)
  AND p.dt = d.previous_dt
  AND p.run_id = d.previous_run_id
  AND p.target_id = d.target_id
ORDER BY d.target_id
