-- Associations still PENDING longer than PENDING_STALE_HOURS in the latest run, oldest first.
-- Uses the audit's own verdict (drift reason PENDING_STALE), so the threshold is the
-- deployed one; excluded targets are listed too, with audit_result EXCLUDED.
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
  a.configuration_policy_id,
  a.association_status_message,
  a.updated_at AS pending_since,
  a.audited_at,
  a.audit_result,
  a.first_drift_seen
FROM associations a
JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id
WHERE a.dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)
  AND contains(a.drift_reasons, 'PENDING_STALE')
ORDER BY a.updated_at, a.target_id
